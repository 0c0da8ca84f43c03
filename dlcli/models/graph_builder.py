"""`model.kind: graph` -> a Keras functional model: named nodes wired by their inputs.

The wiring was checked when the config was read (config/model_schema.py: no cycles, no
dangling inputs); here each node's layer is built from the same allow-list as a stack's
and called on its inputs in dependency order. A shape that does not fit is reported
with the node's key path and the shapes it received.
"""

from __future__ import annotations

from dlcli.config.model_schema import ModelConfig
from dlcli.errors import ModelError, first_line


def _columns_layer():
    """A layer that picks columns of the last axis: a graph input's view of the data.
    Registered so `model.keras` loads back in safe mode (it carries no code)."""
    import keras

    @keras.saving.register_keras_serializable(package="dlcli", name="Columns")
    class Columns(keras.layers.Layer):
        def __init__(self, columns: list[int], **kwargs):
            super().__init__(**kwargs)
            self.columns = list(columns)

        def call(self, inputs):
            return keras.ops.take(inputs, self.columns, axis=-1)

        def compute_output_shape(self, input_shape):
            return (*input_shape[:-1], len(self.columns))

        def get_config(self):
            return {**super().get_config(), "columns": self.columns}

    return Columns


COLUMNS_LAYER = None  # built (and registered) on first use: keeps Keras out of imports


def register_graph_layers():
    """The Columns layer class, registered with Keras (call before loading a model)."""
    global COLUMNS_LAYER
    if COLUMNS_LAYER is None:
        COLUMNS_LAYER = _columns_layer()
    return COLUMNS_LAYER


def build_graph(model_cfg: ModelConfig):
    import keras

    from dlcli.models.stack import make_layer

    assert model_cfg.nodes is not None
    columns = register_graph_layers()
    sample = keras.Input(shape=tuple(model_cfg.input_shape), name="sample")
    tensors = {}
    for name, view in (model_cfg.inputs or {"input": None}).items():
        if view is None or view.columns is None:
            tensors[name] = sample
            continue
        width = model_cfg.input_shape[-1]
        if max(view.columns) >= width:
            raise ModelError(
                f"model.inputs.{name}.columns: column {max(view.columns)} does not exist; "
                f"the samples have {width} columns (0 to {width - 1})",
                key=("model", "inputs", name, "columns"),
            )
        tensors[name] = columns(view.columns, name=name)(sample)
    outputs = set(model_cfg.output_names())
    for index, node in _in_order(model_cfg):
        where = ("model", "nodes", index, "layer")
        hidden = node.name not in outputs
        layer = make_layer(node.layer, model_cfg.activation, hidden, where, name=node.name)
        inputs = [tensors[name] for name in node.inputs]
        try:
            tensors[node.name] = layer(inputs if len(inputs) > 1 else inputs[0])
        except (ValueError, TypeError) as error:
            shapes = ", ".join(f"{n} {tuple(tensors[n].shape)[1:]}" for n in node.inputs)
            raise ModelError(
                f"model.nodes[{index}] {node.name!r}: its layer does not fit its input(s) "
                f"({shapes}): {first_line(error)}",
                key=("model", "nodes", index),
            ) from None
    results = [tensors[n] for n in model_cfg.output_names()]
    return keras.Model(sample, results[0] if len(results) == 1 else results, name="graph")


def _in_order(model_cfg: ModelConfig) -> list[tuple[int, object]]:
    """Nodes in dependency order (their config order where it already is one)."""
    assert model_cfg.nodes is not None
    done = set(model_cfg.input_names())
    pending = list(enumerate(model_cfg.nodes))
    ordered = []
    while pending:
        ready = [(i, n) for i, n in pending if all(p in done for p in n.inputs)]
        ordered += ready
        done |= {n.name for _, n in ready}
        pending = [(i, n) for i, n in pending if n.name not in done]
    return ordered
