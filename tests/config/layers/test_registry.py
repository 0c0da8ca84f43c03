"""Every registered layer, built in Keras from its examples: the registry's shape rule
gives Keras's output shape and parameter count, and `dlcli validate` counts the
parameters Keras counts. A layer cannot be registered without its rules and an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from dlcli.config.layers import LAYERS, LayerEntry, LayerItem, layer_args, shapes
from dlcli.config.layers import arguments as argmodels
from dlcli.config.layers.registry import example
from dlcli.config.loader import load_config
from tests.helpers.files import REPO, write

EXAMPLES = [
    pytest.param(entry, case, id=f"{name}-{index}")
    for name, entry in LAYERS.items()
    for index, case in enumerate(entry.examples)
]
ONE_INPUT = [param for param in EXAMPLES if not param.values[0].merges]


@pytest.mark.parametrize(("entry", "case"), EXAMPLES)
def test_the_shape_rule_gives_the_shape_and_parameters_keras_builds(entry, case) -> None:
    import keras

    from dlcli.models.stack import make_layer

    item = TypeAdapter(LayerItem).validate_python({entry.name: case.arguments})
    layer = make_layer(item, None, False, ("model", "layers", 0, entry.name))
    inputs = [keras.Input(shape=shape) for shape in case.inputs]
    output = layer(inputs if entry.merges else inputs[0])
    expected = (list(output.shape[1:]), layer.count_params())
    assert entry.output(layer_args(item), *case.inputs) == expected


@pytest.mark.parametrize(("entry", "case"), ONE_INPUT)
def test_validate_counts_the_parameters_keras_counts(entry, case, tmp_path: Path) -> None:
    from dlcli.models.builder import build_model
    from dlcli.training.validation import validate_loaded

    """The layer's output feeds a Dense layer, whose weights count its output's size."""
    layers = [{entry.name: case.arguments}, "Flatten", {"Dense": {"units": 2}}]
    config = {"model": {"input_shape": list(case.inputs[0]), "layers": layers}}
    config["compile"] = {"loss": "mse"}
    loaded = load_config(write(tmp_path / "c.yaml", yaml.safe_dump(config)))
    assert validate_loaded(loaded).params == build_model(loaded.config.model).count_params()


def test_the_wrapper_and_the_upsampling_layers_are_among_the_examples() -> None:
    """A Bidirectional(LSTM), a Conv2DTranspose and an UpSampling2D: layers whose weights
    or shape a rule that ignored them would get wrong."""
    assert any(case.arguments.get("layer") == "LSTM" for case in LAYERS["Bidirectional"].examples)
    assert LAYERS["Conv2DTranspose"].examples and LAYERS["UpSampling2D"].examples


def test_a_layer_without_a_rule_or_an_example_cannot_be_registered() -> None:
    flat = example({}, (3, 2))
    with pytest.raises(TypeError, match="Toy: its shape and build rules"):
        LayerEntry("Toy", argmodels.Flatten, None, (flat,))
    with pytest.raises(ValueError, match="Toy: give at least one example"):
        LayerEntry("Toy", argmodels.Flatten, shapes.flatten, ())
    with pytest.raises(ValueError, match="Toy: speed 'fast'"):
        LayerEntry("Toy", argmodels.Flatten, shapes.flatten, (flat,), speed="fast")
    with pytest.raises(ValueError, match="Toy: example .* the wrong inputs"):
        LayerEntry("Toy", argmodels.Merge, shapes.elementwise, (flat,), merges=True)


def test_the_configuration_reference_lists_every_registered_layer() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    listed = text.split("**Layers:**", 1)[1].split("\n\n", 1)[0]
    assert [name for name in LAYERS if not re.search(rf"\b{name}\b", listed)] == []
