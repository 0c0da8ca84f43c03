"""Config -> Keras model: layers from the allow-list, names through Keras's registries.

Imports Keras only inside its functions: the CLI and `validate` never pay for it.
"""

from __future__ import annotations

from typing import Any

from dlcli.config.schema import CompileConfig, ModelConfig
from dlcli.errors import ModelError, first_line


def build_model(model_cfg: ModelConfig):
    """The configured model: one stack (Sequential), a graph, or a GAN of two stacks.

    Weights are drawn from Keras's global seed (device.seed_everything), so the same
    seed gives the same initial weights, layer after layer.
    """
    if model_cfg.kind == "graph":
        from dlcli.models.graph_builder import build_graph

        return build_graph(model_cfg)
    if model_cfg.kind == "gan":
        from dlcli.models.gan import build_gan

        return build_gan(model_cfg)
    from dlcli.models.stack import build_stack

    assert model_cfg.layers is not None
    return build_stack(model_cfg.layers, model_cfg.input_shape, model_cfg.activation)


def compile_model(
    model, compile_cfg: CompileConfig, jit_compile: Any = "auto", steps_per_execution: int = 1
) -> None:
    """Compile with the loss, optimizer and metrics resolved by Keras's own registries."""
    from dlcli.runtime.bootstrap import import_keras

    keras = import_keras()

    try:
        optimizer = keras.optimizers.get(compile_cfg.optimizer.keras_config())
        loss = keras.losses.get(compile_cfg.loss)
    except (ValueError, TypeError) as error:
        raise ModelError(f"compile: {first_line(error)}") from None
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
