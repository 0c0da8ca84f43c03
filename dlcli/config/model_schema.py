"""`model:` — one stack of layers (sequential), named layers wired together (graph), or a
generator and a discriminator trained against each other (gan), or a kind registered
by a plugin.

`model.kind` names an entry of dlcli.config.registries.MODEL_KIND_SCHEMAS: what the
config stage knows of each kind (the `model:` keys it reads and needs, the backends it
trains under, any check of its own); the built-in kinds' entries are registered here.
The kinds' behaviour lives above this stage, in dlcli.models (one module per kind behind
dlcli.models.kinds.MODEL_KINDS); `register_model_kind` there adds a kind's KindSchema to
the registry, so a config naming it validates. The JSON schema lists the built-in kinds
only (BUILT_IN_KINDS).

A graph's wiring is checked here, before TensorFlow starts: every input a node names
must exist (no dangling inputs) and no node may depend on itself (no cycles); each
message names the node by its key path. Shape mismatches are found when Keras builds
the graph, and named the same way.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from dlcli.config import names
from dlcli.config.layers import LayerItem, layer_entry, layer_type
from dlcli.config.limits import MAX_DIMENSION, MAX_WIDTH
from dlcli.config.registries import MODEL_KIND_SCHEMAS, KindSchema, register_kind_schema
from dlcli.config.schema_base import Activation, Strict, ValueAtKey, count

BUILT_IN_KINDS = ("sequential", "graph", "gan")  # what the JSON schema offers


def _known_kind(value: object) -> object:
    # Before pydantic's own type check, so `kind: 5` is also told the valid kinds.
    if not isinstance(value, str) or value not in MODEL_KIND_SCHEMAS:
        raise PydanticCustomError(
            "unknown_name", names.unknown_name_message("model kind", value, MODEL_KIND_SCHEMAS)
        )
    return value


# A name looked up when a config is read (a kind registered later is accepted); the JSON
# schema, written once, offers the built-in kinds.
KindName = Annotated[
    str, BeforeValidator(_known_kind), Field(json_schema_extra={"enum": list(BUILT_IN_KINDS)})
]


class GraphInput(Strict):
    """A named view of the data's samples: some columns of the last axis (e.g. the user
    id and the item id of a ratings row), or the whole sample when `columns` is unset."""

    columns: list[Annotated[int, Field(ge=0)]] | None = None  # indices into the sample's last
    # axis that make this input; unset: the whole sample


class GraphNode(Strict):
    name: str  # how later nodes and `outputs` refer to this node
    inputs: Annotated[list[str], Field(min_length=1)]  # model inputs or earlier nodes
    layer: LayerItem  # one allow-listed layer; Add/Multiply/Concatenate/Dot merge inputs


class ModelConfig(Strict):
    kind: KindName = "sequential"  # sequential: `layers` in
    # order; graph: named `nodes` wired by their inputs; gan: `generator` and `discriminator`
    input_shape: Annotated[list[count(MAX_DIMENSION)], Field(min_length=1, max_length=8)]  # one
    # sample's shape, e.g. [784] or [28, 28, 1] (gan: one real sample, the discriminator's
    # input and the generator's output)
    activation: Activation | None = None  # default for hidden Dense/Conv layers
    layers: Annotated[list[LayerItem], Field(min_length=1)] | None = None  # sequential: the
    # layers from input to output
    inputs: dict[str, GraphInput] | None = None  # graph: named inputs; unset: one input
    # `input`, the whole sample
    nodes: Annotated[list[GraphNode], Field(min_length=1)] | None = None  # graph: the named
    # layers, each after the inputs or nodes it takes
    outputs: list[str] | None = None  # graph: node names; unset: the last node
    latent_dim: count(MAX_WIDTH) = 64  # gan: values of noise the generator starts from
    generator: Annotated[list[LayerItem], Field(min_length=1)] | None = None  # gan: layers
    # from latent_dim noise to one sample of input_shape
    discriminator: Annotated[list[LayerItem], Field(min_length=1)] | None = None  # gan: layers
    # from a sample to 1 logit (real vs generated)

    @model_validator(mode="after")
    def _kind_fields(self) -> ModelConfig:
        kind = MODEL_KIND_SCHEMAS[self.kind]
        for key in kind.required:
            if getattr(self, key) is None:
                raise ValueError(f"model.kind {self.kind!r} needs `{key}:` (model.{key})")
        for owner in MODEL_KIND_SCHEMAS.values():
            for key in owner.keys:
                if getattr(self, key) is not None and key not in kind.keys:
                    raise ValueError(
                        f"model.{key} belongs to model.kind {owner.name!r}, but the kind is "
                        f"{self.kind!r}: set `kind: {owner.name}` or remove `{key}:`"
                    )
        if kind.check is not None:
            kind.check(self)
        return self

    def input_names(self) -> list[str]:
        return list(self.inputs) if self.inputs else ["input"]

    def output_names(self) -> list[str]:
        assert self.nodes is not None
        return self.outputs or [self.nodes[-1].name]


def check_graph(model: ModelConfig) -> None:
    """Unique names, no dangling inputs, no cycles, merge layers where inputs meet."""
    assert model.nodes is not None
    inputs = model.input_names()
    index = {}
    for i, node in enumerate(model.nodes):
        where = f"node {node.name!r}"
        if node.name in index or node.name in inputs:
            raise ValueAtKey(("nodes", i, "name"), f"{where}: the name is used twice")
        index[node.name] = i
        merge = layer_entry(node.layer).merges
        if merge and len(node.inputs) < 2:
            raise ValueAtKey(
                ("nodes", i, "inputs"),
                f"{where}: {layer_type(node.layer)} merges two or more inputs",
            )
        if not merge and len(node.inputs) > 1:
            raise ValueAtKey(
                ("nodes", i, "inputs"),
                f"{where}: a {layer_type(node.layer)} layer takes one input; combine "
                f"{', '.join(node.inputs)} first with Add, Multiply, Concatenate or Dot",
            )
    known = set(inputs) | set(index)
    for i, node in enumerate(model.nodes):
        for name in node.inputs:
            if name not in known:
                raise ValueAtKey(
                    ("nodes", i, "inputs"),
                    f"node {node.name!r}: input {name!r} is neither a model input "
                    f"({', '.join(inputs)}) nor a node (dangling input)",
                )
    for name in model.output_names():
        if name not in index:
            raise ValueAtKey(("outputs",), f"{name!r} is not a node")
    _check_cycles(model.nodes, index)


def _check_cycles(nodes: list[GraphNode], index: dict[str, int]) -> None:
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done" or name not in index:
            return
        if state.get(name) == "visiting":
            loop = path[path.index(name) :] + [name]
            raise ValueAtKey(
                ("nodes", index[name], "inputs"),
                f"node {name!r}: a cycle: {' -> '.join(loop)} "
                "(a node cannot depend on its own output)",
            )
        state[name] = "visiting"
        for parent in nodes[index[name]].inputs:
            visit(parent, [*path, name])
        state[name] = "done"

    for node in nodes:
        visit(node.name, [])


def backend_problem(kind_name: str, backend: str) -> str | None:
    """Why the kind cannot train under `backend` (train.backend), or None if it can."""
    kind = MODEL_KIND_SCHEMAS[kind_name]
    if not kind.backends or backend in kind.backends:
        return None
    return (
        f"model.kind {kind.name} {kind.backend_reason}, which the {backend} backend has not; "
        f"use train.backend: {kind.backends[0]}"
    )


for _built_in in (
    KindSchema("sequential", keys=("layers",), required=("layers",)),
    KindSchema("graph", keys=("nodes", "inputs"), required=("nodes",), check=check_graph),
    KindSchema("gan", keys=("generator", "discriminator"), required=("generator", "discriminator"),
               backends=("tensorflow",), backend_reason="trains with TensorFlow's GradientTape"),
):  # fmt: skip
    register_kind_schema(_built_in)
