"""Layer items -> Keras layers, and a stack of them -> a Sequential model.

Shared by every model kind: a sequential model is one stack, a GAN two, and a graph's
nodes are built one layer at a time with `make_layer`. Layers come from the layer registry
(config/layers/registry.py) and names resolve through Keras's registries. Keras is imported
inside the functions only.
"""

from __future__ import annotations

from typing import Any

from dlcli.config.layers import layer_args, layer_entry, layer_type
from dlcli.config.schema_base import InitializerConfig, RegularizerConfig
from dlcli.config.yaml_positions import format_path
from dlcli.errors import ModelError, first_line

_INITIALIZER_FIELDS = (
    "kernel_initializer",
    "bias_initializer",
    "recurrent_initializer",
    "embeddings_initializer",
)
_REGULARIZER_FIELDS = ("kernel_regularizer", "bias_regularizer", "embeddings_regularizer")


def build_stack(
    layers: list, input_shape: list[int], activation: str | None, key: str = "layers",
    name: str = "model",
):  # fmt: skip
    """A Sequential model: keras.Input(input_shape), then each layer item of model.<key>."""
    import keras

    model = keras.Sequential([keras.Input(shape=tuple(input_shape))], name=name)
    last = len(layers) - 1
    shape = tuple(input_shape)  # what the next layer receives (without the batch)
    for index, item in enumerate(layers):
        where = ("model", key, index, layer_type(item))
        layer = make_layer(item, activation, index < last, where)
        try:
            model.add(layer)  # builds it on the previous layer's output shape
        except (ValueError, TypeError) as error:
            raise ModelError(
                f"{format_path(where)}: does not fit its input of shape {shape}: "
                f"{first_line(error)}",
                key=where,
            ) from None
        shape = tuple(model.output_shape[1:])
    return model


def make_layer(
    item, default_activation: str | None, hidden: bool, where: tuple, name: str | None = None
):
    """One Keras layer from a validated layer item (`where` is its key path, for errors);
    `name` is used when the item names none (a graph node's name)."""
    import keras

    kwargs = layer_kwargs(item, default_activation, hidden)
    if name and not kwargs.get("name"):
        kwargs["name"] = name
    entry = layer_entry(item)
    try:  # the entry's build rule may reject arguments, as Keras would
        return getattr(keras.layers, entry.name)(**entry.build(kwargs, keras.layers))
    except (ValueError, TypeError) as error:
        raise ModelError(
            f"{format_path(where)}: Keras rejects this layer: {first_line(error)}", key=where
        ) from None


def layer_kwargs(item, default_activation: str | None, hidden: bool) -> dict:
    """The keyword arguments for one Keras layer, with dlcli's defaults applied."""
    args = layer_args(item)
    kwargs: dict[str, Any] = args.model_dump(exclude_none=True)
    for field in _INITIALIZER_FIELDS:
        if isinstance(getattr(args, field, None), InitializerConfig):
            kwargs[field] = _initializer(getattr(args, field))
    for field in _REGULARIZER_FIELDS:
        if isinstance(getattr(args, field, None), RegularizerConfig):
            kwargs[field] = _regularizer(getattr(args, field))
    # The default activation is for hidden layers; the output layer names its own.
    takes_default = layer_entry(item).default_activation and "activation" not in kwargs
    if takes_default and hidden and default_activation:
        kwargs["activation"] = default_activation
    for key in ("kernel_size", "strides", "pool_size", "size"):
        if isinstance(kwargs.get(key), list):
            kwargs[key] = tuple(kwargs[key])
    if "target_shape" in kwargs:
        kwargs["target_shape"] = tuple(kwargs["target_shape"])
    return kwargs


def _initializer(cfg: InitializerConfig):
    import keras

    # No per-layer seed unless the config sets one: a shared seed would give layers of
    # the same shape identical weights. Keras's global seed makes them reproducible.
    config = cfg.model_dump(exclude={"name"}, exclude_none=True)
    try:
        return keras.initializers.get({"class_name": cfg.name, "config": config})
    except (ValueError, TypeError) as error:
        raise ModelError(f"initializer {cfg.name!r}: {first_line(error)}") from None


def _regularizer(cfg: RegularizerConfig):
    import keras

    if cfg.l1 and cfg.l2:
        return keras.regularizers.get(
            {"class_name": "l1l2", "config": {"l1": cfg.l1, "l2": cfg.l2}}
        )
    if cfg.l1:
        return keras.regularizers.get({"class_name": "l1", "config": {"l1": cfg.l1}})
    return keras.regularizers.get({"class_name": "l2", "config": {"l2": cfg.l2 or 0.0}})
