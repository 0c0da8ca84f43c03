"""The layer registry: one entry per layer type a config may use, holding all its facts.

`LAYERS` is the allow-list: a config names one of its keys, never a Python path, so it
cannot import an arbitrary class (no `Lambda`, no `module.Class`). Each entry says, for
the Keras layer of the same name in `keras.layers`:

- `arguments`: the pydantic model of its arguments (arguments.py), which the schema,
  `dlcli schema` and the loader's messages are made from;
- `shape`: its output shape and parameter count (shapes.py), which `dlcli validate` and
  the memory check add up;
- `build`: how the config's arguments become Keras's (building.py; most pass unchanged);
- `speed`: the kind of model it makes for the XLA default (runtime/speed_policy.py);
- `default_activation`: whether `model.activation` applies when it is a hidden layer;
- `merges`: whether it combines two or more inputs (graph models only);
- `examples`: arguments and input shapes it is built with in the tests.

To add a layer: write its arguments model in arguments.py (each field typed, with its
comment), its shape rule in shapes.py (and a build rule in building.py if its arguments
are not Keras's as they are), add one `LayerEntry` below with at least one example, list
it in docs/configuration.md and regenerate docs/dlcli.schema.json (`dlcli schema -o
docs/dlcli.schema.json`). `tests/config/layers/test_registry.py` then builds each example
in Keras and checks the shape rule and validate's parameter count against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlcli.config.layers import arguments as argmodels
from dlcli.config.layers import building, shapes
from dlcli.config.layers.arguments import LayerArgs

SPEED_KINDS = ("recurrent", "convolution", "embedding", "dense")
ShapeRule = Callable[..., tuple[list[int], int]]  # (args, *input shapes) -> (shape, params)
BuildRule = Callable[[dict[str, Any], Any], dict[str, Any]]  # (kwargs, keras.layers) -> kwargs


@dataclass(frozen=True)
class LayerExample:
    """Arguments as a config writes them, and the per-sample shape of each input."""

    arguments: dict[str, Any]
    inputs: tuple[tuple[int, ...], ...]


def example(arguments: dict[str, Any], *inputs: tuple[int, ...]) -> LayerExample:
    return LayerExample(arguments, inputs)


@dataclass(frozen=True)
class LayerEntry:
    """Everything dlcli knows about one layer type (see the module's docstring)."""

    name: str
    arguments: type[LayerArgs]
    shape: ShapeRule
    examples: tuple[LayerExample, ...]
    speed: str = "dense"
    build: BuildRule = building.unchanged
    default_activation: bool = False
    merges: bool = False

    def __post_init__(self) -> None:
        # A layer without a rule would be sized as nothing: it cannot be registered.
        if not callable(self.shape) or not callable(self.build):
            raise TypeError(f"layer {self.name}: its shape and build rules must be functions")
        if self.speed not in SPEED_KINDS:
            raise ValueError(f"layer {self.name}: speed {self.speed!r} is not one of {SPEED_KINDS}")
        if not self.examples:
            raise ValueError(f"layer {self.name}: give at least one example to test it with")
        for case in self.examples:
            if (len(case.inputs) > 1) != self.merges or not case.inputs:
                raise ValueError(f"layer {self.name}: example {case} has the wrong inputs")

    def output(self, args: LayerArgs, *inputs: list[int]) -> tuple[list[int], int]:
        """(output shape, parameters) on inputs of these per-sample shapes; a shape of no
        axes (a Reshape to []) counts as one value."""
        return self.shape(args, *(list(shape) or [1] for shape in inputs))


_IMAGE = (8, 8, 3)
_SEQUENCE = (7, 3)
_CONVOLUTION = dict(shape=shapes.convolution, speed="convolution", default_activation=True)
_RECURRENT = dict(arguments=argmodels.Recurrent, speed="recurrent")
_MERGE = dict(arguments=argmodels.Merge, merges=True)
_AUGMENTATION = dict(shape=shapes.unchanged)

# fmt: off
_ENTRIES = (
    LayerEntry("Dense", argmodels.Dense, shapes.dense, default_activation=True, examples=(
        example({"units": 3}, (5,)),
        example({"units": 2, "use_bias": False}, (4, 6)))),
    LayerEntry("Dropout", argmodels.Dropout, shapes.unchanged, (
        example({"rate": 0.5}, (5,)),)),
    LayerEntry("Flatten", argmodels.Flatten, shapes.flatten, (
        example({}, (3, 4, 2)),)),
    LayerEntry("Reshape", argmodels.Reshape, shapes.reshape, (
        example({"target_shape": [-1, 3]}, (4, 6)),
        example({"target_shape": [2, 12]}, (4, 6)))),
    LayerEntry("Conv1D", argmodels.Conv1D, **_CONVOLUTION, examples=(
        example({"filters": 4, "kernel_size": 3}, (10, 2)),
        example({"filters": 3, "kernel_size": 2, "strides": 2, "padding": "same",
                 "use_bias": False}, (9, 2)))),
    LayerEntry("Conv2D", argmodels.Conv2D, **_CONVOLUTION, examples=(
        example({"filters": 4, "kernel_size": 3, "padding": "same"}, (8, 8, 1)),
        example({"filters": 3, "kernel_size": [2, 3], "strides": 2}, (9, 8, 2)))),
    LayerEntry("MaxPooling1D", argmodels.Pooling1D, shapes.pooling, (
        example({}, (9, 3)),
        example({"pool_size": 3, "strides": 2, "padding": "same"}, (9, 3)))),
    LayerEntry("MaxPooling2D", argmodels.Pooling2D, shapes.pooling, (
        example({}, (8, 7, 2)),
        example({"pool_size": [2, 3], "padding": "same"}, (7, 7, 1)))),
    LayerEntry("AveragePooling2D", argmodels.Pooling2D, shapes.pooling, (
        example({"pool_size": 3, "strides": 2}, (9, 8, 2)),)),
    LayerEntry("BatchNormalization", argmodels.BatchNormalization, shapes.batch_normalization, (
        example({}, (6, 3)),)),
    LayerEntry("LayerNormalization", argmodels.LayerNormalization, shapes.layer_normalization, (
        example({}, (6, 3)),)),
    LayerEntry("Activation", argmodels.ActivationLayer, shapes.unchanged, (
        example({"activation": "relu"}, (5,)),)),
    LayerEntry("Embedding", argmodels.Embedding, shapes.embedding, speed="embedding", examples=(
        example({"input_dim": 50, "output_dim": 8}, (10,)),)),
    LayerEntry("SimpleRNN", **_RECURRENT, shape=shapes.simple_rnn, examples=(
        example({"units": 4}, _SEQUENCE),)),
    LayerEntry("LSTM", **_RECURRENT, shape=shapes.lstm, examples=(
        example({"units": 4, "return_sequences": True}, _SEQUENCE),
        example({"units": 3, "use_bias": False}, (5, 2)))),
    LayerEntry("GRU", **_RECURRENT, shape=shapes.gru, examples=(
        example({"units": 4}, _SEQUENCE),
        example({"units": 2, "return_sequences": True, "use_bias": False}, (5, 2)))),
    LayerEntry("GlobalAveragePooling1D", argmodels.GlobalPooling, shapes.global_pooling, (
        example({}, _SEQUENCE),)),
    LayerEntry("GlobalAveragePooling2D", argmodels.GlobalPooling, shapes.global_pooling, (
        example({}, (4, 4, 3)),)),
    # speed: the XLA default was measured for the plain recurrent layers only.
    LayerEntry("Bidirectional", argmodels.BidirectionalArgs, shapes.bidirectional,
               build=building.bidirectional, examples=(
        example({"layer": "LSTM", "units": 4, "return_sequences": True}, _SEQUENCE),
        example({"layer": "GRU", "units": 3, "merge_mode": "sum"}, (6, 2)),
        example({"layer": "SimpleRNN", "units": 3, "merge_mode": "ave"}, (6, 2)))),
    # speed: the XLA default was measured for Conv1D and Conv2D only.
    LayerEntry("Conv2DTranspose", argmodels.Conv2DTranspose, shapes.transposed_convolution,
               default_activation=True, examples=(
        example({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (6, 6, 3)),
        example({"filters": 2, "kernel_size": [3, 2], "strides": [2, 1]}, (5, 4, 2)),
        example({"filters": 2, "kernel_size": 2, "strides": 3, "use_bias": False}, (3, 3, 1)))),
    LayerEntry("UpSampling2D", argmodels.UpSampling2D, shapes.upsampling, (
        example({}, (4, 5, 3)),
        example({"size": [2, 3], "interpolation": "bilinear"}, (3, 4, 2)))),
    LayerEntry("LeakyReLU", argmodels.LeakyReLU, shapes.unchanged, (
        example({"negative_slope": 0.2}, (5,)),)),
    LayerEntry("RandomFlip", argmodels.RandomFlip, **_AUGMENTATION, examples=(
        example({}, _IMAGE),)),
    LayerEntry("RandomRotation", argmodels.RandomFactor, **_AUGMENTATION,
               build=building.random_rotation, examples=(
        example({"factor": 0.1}, _IMAGE),)),
    LayerEntry("RandomZoom", argmodels.RandomFactor, **_AUGMENTATION,
               build=building.random_zoom, examples=(
        example({"height_factor": 0.2}, _IMAGE),)),
    LayerEntry("RandomTranslation", argmodels.RandomFactor, **_AUGMENTATION,
               build=building.random_translation, examples=(
        example({"height_factor": 0.1, "width_factor": 0.2}, _IMAGE),)),
    LayerEntry("Add", **_MERGE, shape=shapes.elementwise, build=building.elementwise, examples=(
        example({}, (4, 3), (4, 3)),)),
    LayerEntry("Multiply", **_MERGE, shape=shapes.elementwise, build=building.elementwise,
               examples=(
        example({}, (5,), (5,), (5,)),)),
    LayerEntry("Concatenate", **_MERGE, shape=shapes.concatenate, build=building.concatenate,
               examples=(
        example({}, (4, 3), (4, 2)),
        example({"axis": 1}, (2, 3), (4, 3)))),
    LayerEntry("Dot", **_MERGE, shape=shapes.dot, build=building.dot, examples=(
        example({}, (5,), (5,)),
        example({"axes": 2}, (3, 4), (2, 4)))),
)
# fmt: on

LAYERS: dict[str, LayerEntry] = {entry.name: entry for entry in _ENTRIES}
if len(LAYERS) != len(_ENTRIES):
    raise ValueError("two layer entries share a name")
