"""Schema of the data sources: their sections of `data:` and the rules of each name.

Time series, text, image folders and linear data each have one sub-section of `data:`
named like their `dataset:` (`timeseries:`, `text:`, `image_folder:`, `linear:`), with
every default documented beside its field. `data.path` names the file or folder
(relative to the config file), as for the other file sources. `BUILTIN_DATASETS` holds
what `validate` checks for each built-in `dataset:` name (`DatasetRules`); the registry
of names a config may use is `dlcli.config.registries.DATASETS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from dlcli.config.limits import MAX_DIMENSION, MAX_GENERATED_SAMPLES, MAX_WIDTH
from dlcli.config.schema_base import Flag, Number, Strict, count

Steps = count(MAX_DIMENSION)  # a number of time steps


class GeneratedSignal(Strict):
    """A series generated for teaching, when `data.path` is not given.

    sine: `value` = two sines (periods 50 and 13 steps) + Gaussian noise, a forecast task.
    echo: `x` is noise and `echo` is x delayed by `lag` steps, so predicting `echo` from a
    window of `x` needs a memory of `lag` steps (a pure delay line, which a SimpleRNN
    learns about as well as an LSTM).
    recall: inputs `x` (noise) and `marker` (1 at steps spaced `marker_gap` apart, drawn
    uniformly, else 0); the target `recall` at step t is x at the last marker before t.
    The model must store x when a marker comes and hold it while later x values arrive:
    the gated memory an LSTM has and a SimpleRNN lacks. With horizon 1, a window of at
    least the largest gap always holds that marker.
    """

    kind: Literal["sine", "echo", "recall"] = "sine"  # the series (each one described above)
    length: Annotated[int, Field(ge=10, le=1_000_000)] = 2000  # number of time steps
    noise: Annotated[Number, Field(ge=0)] = 0.1  # stddev of the Gaussian noise
    lag: count(MAX_DIMENSION) = 20  # echo: how many steps back the target looks
    marker_gap: tuple[Steps, Steps] = (10, 40)  # recall: [min, max] steps from one marker
    # to the next, drawn uniformly; a window of at least max always holds the last marker

    @model_validator(mode="after")
    def _gap_order(self) -> GeneratedSignal:
        if self.marker_gap[0] > self.marker_gap[1]:
            raise ValueError("marker_gap: the first number (min) must not exceed the second")
        return self


class TimeseriesData(Strict):
    """`dataset: timeseries`: windows of past steps -> the target `horizon` steps later.

    The series is split by time (train, then validation, then test: never shuffled across
    the split); standardisation statistics come from the training part only.
    """

    window: count(MAX_DIMENSION)  # past time steps per sample (the model's input length)
    horizon: count(MAX_DIMENSION) = 1  # forecast the target this many steps after the window's end
    columns: list[str] | None = None  # CSV columns fed to the model; unset: all (generated:
    # the signal's input columns, e.g. recall: x and marker)
    target: str | None = None  # the column to forecast; unset: the first input column
    # (generated echo: `echo`; recall: `recall`)
    generate: GeneratedSignal | None = None  # without data.path: this generated series
    standardize: Flag = True  # (x - mean) / std per column, training part's statistics


class TextData(Strict):
    """`dataset: text`: labelled text, from a CSV (`path` a file) or one folder per class
    of .txt files (`path` a folder). A Keras TextVectorization vocabulary is fitted on the
    training split only and saved in the run as vocabulary.txt; `predict` reuses it on
    raw strings."""

    text_column: str = "text"  # CSV: the column holding the text
    label_column: str = "label"  # CSV: the column holding the class (name or number)
    level: Literal["word", "character"] = "word"  # tokens are words or single characters
    vocabulary_size: Annotated[int, Field(ge=3)] = 10000  # incl. 0 = padding, 1 = unknown
    sequence_length: count(MAX_DIMENSION) = 100  # tokens per sample, padded/cut at the end
    encoding: Literal["ids", "onehot"] = "ids"  # ids for an Embedding; onehot: one
    # vocabulary-wide 0/1 vector per token (to show what an Embedding saves)


class ImageFolderData(Strict):
    """`dataset: image_folder`: one subfolder per class of PNG/JPEG files (Keras's
    image_dataset_from_directory layout), streamed from disk batch by batch.

    Images of different sizes are refused unless `resize: true`: resizing squashes
    every aspect ratio to one, which should be a choice, not a surprise.
    """

    image_size: tuple[count(MAX_DIMENSION), count(MAX_DIMENSION)] | None = None  # [height,
    # width] of every image, in pixels; unset: the size the folder's images share
    resize: Flag = False  # true: resize each image to image_size (bilinear), so sizes may mix
    color_mode: Literal["grayscale", "rgb"] = "rgb"  # 1 or 3 channels
    scale: Annotated[Number, Field(gt=0)] = 255.0  # pixels are divided by this

    @model_validator(mode="after")
    def _sizes(self) -> ImageFolderData:
        if self.image_size is not None and max(self.image_size) > 4096:
            raise ValueError("image_size above 4096 pixels a side is not supported")
        if self.resize and self.image_size is None:
            raise ValueError("resize: true needs image_size: [height, width] to resize to")
        return self


class LinearData(Strict):
    """`dataset: linear`: y = x·W + b + noise, with W and b known (written to the run)."""

    samples: count(MAX_GENERATED_SAMPLES) = 200  # number of (x, y) pairs generated
    features: count(MAX_WIDTH) = 1  # width of x
    outputs: count(MAX_WIDTH) = 1  # width of y
    weights: list[list[Number]] | None = None  # features×outputs; unset: drawn from N(0, 1)
    bias: list[Number] | None = None  # outputs; unset: drawn from N(0, 1)
    noise: Annotated[Number, Field(ge=0)] = 0.0  # stddev of Gaussian noise added to y
    x_range: tuple[Number, Number] = (-1.0, 1.0)  # x is drawn uniformly from this range


@dataclass(frozen=True)
class DatasetRules:
    """What `validate` checks about one `dataset:` name before any data is read.

    Each data source has one (`dlcli.data.sources`, the source's `rules`). The built-in
    sources' rules are here, in the config stage, because a config is validated without
    the data stage; a source registered later brings its own.
    """

    keys: tuple[str, ...] = ()  # the source-specific `data:` keys it takes (path, target,
    # x, ...); another source's key is an error that names its owners
    needs_path: bool = False  # `path:` is required (a file or folder)
    check: Callable[[Any], str | None] | None = None  # a further rule on the `data:` section:
    # the message when it is broken, else None


def _csv_rules(data: Any) -> str | None:
    return None if data.target else "dataset 'csv' needs `target:` (the column holding y)"


def _timeseries_rules(data: Any) -> str | None:
    if data.timeseries is None:
        return "dataset 'timeseries' needs a `timeseries:` section (window: ...)"
    if not data.path and not data.timeseries.generate:
        return "dataset 'timeseries' needs `path:` (a CSV) or timeseries.generate"
    return None


def _inline_rules(data: Any) -> str | None:
    if data.x is None or data.y is None:
        return "dataset 'inline' needs both `x:` and `y:` lists"
    return None


# Keras's built-in datasets, read from a local copy (dlcli/data/sources/keras_builtin.py).
KERAS_DATASETS = (
    "mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing",
    "california_housing",
)  # fmt: skip
_WORD_SEQUENCES = DatasetRules(keys=("num_words", "sequence_length"))

# The rules of every built-in `dataset:` name, in the order messages list them.
BUILTIN_DATASETS: dict[str, DatasetRules] = {
    **{name: DatasetRules() for name in KERAS_DATASETS},
    "imdb": _WORD_SEQUENCES,
    "reuters": _WORD_SEQUENCES,
    "inline": DatasetRules(keys=("x", "y"), check=_inline_rules),
    "linear": DatasetRules(keys=("linear",)),
    "npz": DatasetRules(keys=("path",), needs_path=True),
    "csv": DatasetRules(keys=("path", "target", "categorical"), needs_path=True,
                        check=_csv_rules),  # fmt: skip
    "idx": DatasetRules(keys=("path",), needs_path=True),
    "timeseries": DatasetRules(keys=("path", "timeseries"), check=_timeseries_rules),
    "text": DatasetRules(keys=("path", "text"), needs_path=True),
    "image_folder": DatasetRules(keys=("path", "image_folder"), needs_path=True),
}
