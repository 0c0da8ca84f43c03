"""`model.kind: graph`: named layers wired by their inputs, a Keras functional model.

The wiring is checked with the config (dlcli.config.model_schema.check_graph) and the
model built by dlcli.models.graph_builder. Its input views (the Columns layer) are a
dlcli layer, registered with Keras before a run's model.keras is loaded. `validate`
does not estimate its size: Keras counts its parameters when it builds it.
"""

from __future__ import annotations

from dlcli.config.model_schema import ModelConfig
from dlcli.config.registries import MODEL_KIND_SCHEMAS
from dlcli.models.kind import ModelKind


class GraphKind(ModelKind):
    schema = MODEL_KIND_SCHEMAS["graph"]

    def build(self, model_cfg: ModelConfig):
        from dlcli.models.graph_builder import build_graph

        return build_graph(model_cfg)

    def register_saved_layers(self) -> None:
        from dlcli.models.graph_builder import register_graph_layers

        register_graph_layers()

    def size_text(self, model_cfg: ModelConfig) -> str:
        assert model_cfg.nodes is not None
        return f"a graph of {len(model_cfg.nodes)} nodes"
