"""dlcli.config.model_schema: model kinds, and a graph's wiring checked before TensorFlow."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dlcli.config.loader import load_config
from dlcli.config.model_schema import ModelConfig
from dlcli.errors import ConfigError


def graph(*nodes, **extra) -> dict:
    return {"kind": "graph", "input_shape": [4], "nodes": list(nodes), **extra}


def node(name, inputs, layer="Dense") -> dict:
    return {"name": name, "inputs": inputs,
            "layer": {"Dense": {"units": 4}} if layer == "Dense" else layer}  # fmt: skip


def refused(fields: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        ModelConfig.model_validate(fields)
    return str(caught.value)


def test_a_residual_branch_is_accepted_in_any_listed_order() -> None:
    model = ModelConfig.model_validate(graph(
        node("out", ["sum"]), node("sum", ["input", "hidden"], "Add"), node("hidden", ["input"]),
        outputs=["out"],
    ))  # fmt: skip
    assert model.output_names() == ["out"] and model.input_names() == ["input"]


def test_a_cycle_is_named_with_its_path() -> None:
    message = refused(graph(node("a", ["input"]), node("b", ["a", "c"], "Add"), node("c", ["b"])))
    assert "node 'b': a cycle: b -> c -> b" in message


GRAPH_YAML = """\
model:
  kind: graph
  input_shape: [4]
  nodes:
    - name: a
      inputs: [input]
      layer: {Dense: {units: 4}}
    - name: b
      inputs: [a, INPUT_OF_B]
      layer: Add
compile: {loss: mse}
"""


@pytest.mark.parametrize(
    ("input_of_b", "expected"),
    [
        ("b", "graph.yaml:9:7: model.nodes[1].inputs: node 'b': a cycle: b -> b"),
        ("skip", "graph.yaml:9:7: model.nodes[1].inputs: node 'b': input 'skip' is neither"),
    ],
)
def test_wiring_errors_point_at_the_nodes_own_line(tmp_path, input_of_b, expected) -> None:
    config = tmp_path / "graph.yaml"
    config.write_text(GRAPH_YAML.replace("INPUT_OF_B", input_of_b))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert expected in str(caught.value).replace(str(tmp_path) + "/", "")


def test_a_dangling_input_is_named() -> None:
    message = refused(graph(node("a", ["input"]), node("b", ["a", "skip"], "Add")))
    assert "input 'skip' is neither a model input (input) nor a node" in message


def test_merging_needs_two_inputs_and_other_layers_one() -> None:
    assert "Add merges two or more inputs" in refused(graph(node("a", ["input"], "Add")))
    message = refused(graph(node("a", ["input"]), node("b", ["input", "a"])))
    assert "a Dense layer takes one input; combine input, a first with Add" in message


def test_duplicate_names_and_unknown_outputs_are_refused() -> None:
    assert "node 'a': the name is used twice" in refused(
        graph(node("a", ["input"]), node("a", ["a"]))
    )
    assert "'z' is not a node" in refused(graph(node("a", ["input"]),
                                                               outputs=["z"]))  # fmt: skip


def test_each_kind_needs_its_own_sections_and_no_other() -> None:
    gan = {"kind": "gan", "input_shape": [2], "generator": [{"Dense": {"units": 2}}]}
    assert "model.kind 'gan' needs `discriminator:`" in refused(gan)
    assert "model.kind 'sequential' needs `layers:`" in refused({"input_shape": [2]})
    stray = {
        "input_shape": [2],
        "layers": [{"Dense": {"units": 1}}],
        "nodes": [{"name": "a", "inputs": ["input"], "layer": "Flatten"}],
    }
    assert "model.nodes belongs to model.kind 'graph'" in refused(stray)


def test_new_layers_are_in_the_allow_list() -> None:
    layers = [{"Bidirectional": {"layer": "GRU", "units": 4}}, {"UpSampling2D": {"size": 2}},
              {"Conv2DTranspose": {"filters": 2, "kernel_size": 3}}, {"RandomFlip": {}},
              {"RandomRotation": {"factor": 0.1}}, {"RandomZoom": {"height_factor": 0.1}},
              {"RandomTranslation": {"height_factor": 0.1}}, {"LeakyReLU": {}}]  # fmt: skip
    assert len(ModelConfig.model_validate({"input_shape": [2], "layers": layers}).layers) == 8


def test_an_unknown_kind_is_named_with_the_closest_and_the_registered_ones() -> None:
    layers = {"input_shape": [2], "layers": [{"Dense": {"units": 1}}]}
    assert "unknown model kind 'grap'; did you mean 'graph'? (valid: sequential, graph, gan)" in (
        refused({**layers, "kind": "grap"}))  # fmt: skip
    assert "unknown model kind 5 (valid: sequential, graph, gan)" in refused({**layers, "kind": 5})


def test_a_kind_says_which_backends_it_trains_under(tmp_path) -> None:
    path = tmp_path / "gan.yaml"
    path.write_text(
        "model: {kind: gan, input_shape: [4], generator: [{Dense: {units: 4}}],\n"
        "        discriminator: [{Dense: {units: 1}}]}\n"
        "compile: {loss: binary_crossentropy, optimizer: adam}\n"
        "train: {backend: jax}\n"
    )
    message = ("model.kind gan trains with TensorFlow's GradientTape, which the jax backend "
               "has not; use train.backend: tensorflow")  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        load_config(path)
