"""Config -> Keras model, by the config's model kind (dlcli.models.kinds), and the
model's summary for summary.txt.

Imports Keras only inside its functions: the CLI and `validate` never pay for it.
"""

from __future__ import annotations

from dlcli.config.schema import ModelConfig
from dlcli.models.kinds import model_kind


def build_model(model_cfg: ModelConfig):
    """The configured model, built by its kind: one stack (Sequential), a graph, a GAN
    of two stacks, or a registered kind's.

    Weights are drawn from Keras's global seed (runtime.backend.seed_everything), so the
    same seed gives the same initial weights, layer after layer.
    """
    return model_kind(model_cfg.kind).build(model_cfg)


def model_summary(model) -> str:
    """model.summary() as plain text (parameters per layer), for summary.txt."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=80)
    return "\n".join(lines) + "\n"
