"""`model.kind: sequential` (the default): one stack of layers, input to output.

Built as a Keras Sequential by dlcli.models.stack; `validate` estimates its size layer
by layer, and its first and last layers are checked against the data before Keras
starts (an input Embedding's vocabulary, the output's width: label_checks).
"""

from __future__ import annotations

from dlcli.config.model_schema import ModelConfig
from dlcli.config.registries import MODEL_KIND_SCHEMAS
from dlcli.models.kind import ModelKind, Stack
from dlcli.models.label_checks import embedding_problems, loss_problems, output_problems


class SequentialKind(ModelKind):
    schema = MODEL_KIND_SCHEMAS["sequential"]

    def build(self, model_cfg: ModelConfig):
        from dlcli.models.stack import build_stack

        assert model_cfg.layers is not None
        return build_stack(model_cfg.layers, model_cfg.input_shape, model_cfg.activation)

    def stacks(self, model_cfg: ModelConfig) -> list[Stack]:
        assert model_cfg.layers is not None
        return [Stack("layers", list(model_cfg.input_shape), model_cfg.layers)]

    def fit_problems(self, loaded, x, y, num_classes):
        return [
            *embedding_problems(loaded, x),
            *output_problems(loaded, y, num_classes),
            *loss_problems(loaded, y, num_classes),
        ]

    def size_text(self, model_cfg: ModelConfig) -> str:
        assert model_cfg.layers is not None
        return f"{len(model_cfg.layers)} layers"
