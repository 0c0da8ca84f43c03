"""Config -> Keras model: layers from the allow-list, names through Keras's registries.

Imports Keras only inside its functions: the CLI and `validate` never pay for it.
"""

from __future__ import annotations

from typing import Any

from dlcli.errors import ModelError
from dlcli.layers_schema import LAYERS, TAKES_DEFAULT_ACTIVATION, layer_args, layer_type
from dlcli.schema import CompileConfig, ModelConfig
from dlcli.schema_base import InitializerConfig, RegularizerConfig
from dlcli.yaml_positions import format_path

_INITIALIZER_FIELDS = (
    "kernel_initializer",
    "bias_initializer",
    "recurrent_initializer",
    "embeddings_initializer",
)
_REGULARIZER_FIELDS = ("kernel_regularizer", "bias_regularizer", "embeddings_regularizer")


def build_model(model_cfg: ModelConfig, seed: int | None = None):
    """A Sequential model: keras.Input(input_shape), then each configured layer."""
    import keras

    layers = [keras.Input(shape=tuple(model_cfg.input_shape))]
    last = len(model_cfg.layers) - 1
    for index, item in enumerate(model_cfg.layers):
        where = format_path(("model", "layers", index, layer_type(item)))
        kwargs = layer_kwargs(item, model_cfg.activation, hidden=index < last, seed=seed)
        _, class_name = LAYERS[layer_type(item)]
        try:
            layers.append(getattr(keras.layers, class_name)(**kwargs))
        except (ValueError, TypeError) as error:
            raise ModelError(f"{where}: Keras rejects this layer: {error}") from None
    try:
        return keras.Sequential(layers, name="model")
    except (ValueError, TypeError) as error:
        raise ModelError(f"the layers do not fit together: {_first_line(error)}") from None


def layer_kwargs(item, default_activation: str | None, hidden: bool, seed: int | None) -> dict:
    """The keyword arguments for one Keras layer, with dlcli's defaults applied."""
    args = layer_args(item)
    kwargs: dict[str, Any] = args.model_dump(exclude_none=True)
    for field in _INITIALIZER_FIELDS:
        if isinstance(getattr(args, field, None), InitializerConfig):
            kwargs[field] = _initializer(getattr(args, field), seed)
    for field in _REGULARIZER_FIELDS:
        if isinstance(getattr(args, field, None), RegularizerConfig):
            kwargs[field] = _regularizer(getattr(args, field))
    # The default activation is for hidden layers; the output layer names its own.
    takes_default = layer_type(item) in TAKES_DEFAULT_ACTIVATION and "activation" not in kwargs
    if takes_default and hidden and default_activation:
        kwargs["activation"] = default_activation
    for key in ("kernel_size", "strides", "pool_size"):
        if isinstance(kwargs.get(key), list):
            kwargs[key] = tuple(kwargs[key])
    if "target_shape" in kwargs:
        kwargs["target_shape"] = tuple(kwargs["target_shape"])
    return kwargs


def _initializer(cfg: InitializerConfig, seed: int | None):
    import keras

    config = cfg.model_dump(exclude={"name"}, exclude_none=True)
    if seed is not None and cfg.name not in ("zeros", "ones", "constant", "identity"):
        config.setdefault("seed", seed)  # reproducible from the run's seed
    try:
        return keras.initializers.get({"class_name": cfg.name, "config": config})
    except (ValueError, TypeError) as error:
        raise ModelError(f"initializer {cfg.name!r}: {_first_line(error)}") from None


def _regularizer(cfg: RegularizerConfig):
    import keras

    if cfg.l1 and cfg.l2:
        return keras.regularizers.get(
            {"class_name": "l1l2", "config": {"l1": cfg.l1, "l2": cfg.l2}}
        )
    if cfg.l1:
        return keras.regularizers.get({"class_name": "l1", "config": {"l1": cfg.l1}})
    return keras.regularizers.get({"class_name": "l2", "config": {"l2": cfg.l2 or 0.0}})


def compile_model(
    model, compile_cfg: CompileConfig, jit_compile: Any = "auto", steps_per_execution: int = 1
) -> None:
    """Compile with the loss, optimizer and metrics resolved by Keras's own registries."""
    import keras

    try:
        optimizer = keras.optimizers.get(compile_cfg.optimizer.keras_config())
        loss = keras.losses.get(compile_cfg.loss)
    except (ValueError, TypeError) as error:
        raise ModelError(f"compile: {_first_line(error)}") from None
    # Metric names stay strings: compile() matches "accuracy" to the loss
    # (categorical, sparse or binary accuracy) as a hand-written script would.
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=list(compile_cfg.metrics),
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )


def model_summary(model) -> str:
    """model.summary() as plain text (parameters per layer), for summary.txt."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=80)
    return "\n".join(lines) + "\n"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
