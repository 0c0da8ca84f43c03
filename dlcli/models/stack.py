"""Layer items -> Keras layers, and a stack of them -> a Sequential model.

Shared by every model kind: a sequential model is one stack, a GAN two, and a graph's
nodes are built one layer at a time with `make_layer`. Layers come from the allow-list
(config/layers.py) and names resolve through Keras's registries. Keras is imported
inside the functions only.
"""

from __future__ import annotations

from typing import Any

from dlcli.config.layers import LAYERS, TAKES_DEFAULT_ACTIVATION, layer_args, layer_type
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
    kind = layer_type(item)
    _, class_name = LAYERS[kind]
    try:
        if kind == "Bidirectional":  # the wrapped recurrent layer is built first
            inner, merge_mode = kwargs.pop("layer"), kwargs.pop("merge_mode")
            name = kwargs.pop("name", None)
            wrapped = getattr(keras.layers, inner)(**kwargs)
            return keras.layers.Bidirectional(wrapped, merge_mode=merge_mode, name=name)
        return getattr(keras.layers, class_name)(**_special_kwargs(kind, kwargs))
    except (ValueError, TypeError) as error:
        raise ModelError(
            f"{format_path(where)}: Keras rejects this layer: {first_line(error)}", key=where
        ) from None


def _special_kwargs(kind: str, kwargs: dict) -> dict:
    """Arguments whose meaning differs between layers sharing one argument model."""
    if kind == "Dot":
        kwargs.setdefault("axes", -1)
    if kind in ("Add", "Multiply", "Dot"):
        kwargs.pop("axis", None)
    if kind in ("Add", "Multiply", "Concatenate"):
        kwargs.pop("axes", None)
    if kind in ("RandomZoom", "RandomTranslation") and "factor" in kwargs:
        raise ValueError(f"{kind} takes height_factor (and width_factor), not factor")
    if kind == "RandomRotation" and ("height_factor" in kwargs or "width_factor" in kwargs):
        raise ValueError("RandomRotation takes factor (a share of a full turn)")
    if kind in ("RandomZoom", "RandomTranslation"):
        kwargs.setdefault("height_factor", 0.1)
        kwargs.setdefault("width_factor", kwargs["height_factor"])  # the schema's default
    return kwargs


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
    takes_default = layer_type(item) in TAKES_DEFAULT_ACTIVATION and "activation" not in kwargs
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
