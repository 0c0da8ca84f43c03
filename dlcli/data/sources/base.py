"""The data-source interface: everything one `data.dataset` name does, in one object.

A source is an instance of a `DataSource` subclass registered under its `name` in
`dlcli.data.sources.SOURCES`; every stage that needs a step particular to the data asks
the run's source instead of testing the name:

- `rules`: what `validate` checks (`dlcli.config.data_sources_schema.DatasetRules`:
  its `data:` keys, `needs_path`, further checks), known to the config stage;
- `load(cfg, seed)`: the `Dataset` for training (and for re-reading a run's data). An
  array source implements `read(cfg, seed) -> RawData` and inherits the shared
  pipeline (`dlcli.data.sources.arrays`); a source with its own splitting (time series,
  text, image folders) overrides `load`;
- `predict_inputs(run, inputs, invert)`: `dlcli predict`'s inputs (files, or text) ->
  the model's inputs and a label per sample; by default files of numbers or images read
  as the training samples were shaped, then the run's preprocessing;
- `decode_image`: how an image file becomes pixels (None: Pillow, resized to the input);
- `reads_requests` and `request_inputs(run, inputs)`: a server request's JSON inputs,
  when the source reads them itself (text, windows); else the server takes samples of
  numbers or objects of named columns;
- `evaluation_data(path, run)`: `evaluate --data PATH`; by default an .npz/.npy/.csv
  file through the run's preprocessing;
- `how` and `output_note`: the export metadata's description of the preprocessing and
  of the output;
- `to_output_units(outputs, prep)`: outputs back in the user's units (forecasts).

`run` is a finished run (`FinishedRun`: its preprocessing.json, config and, for text,
vocabulary). Adding a built-in source is one module holding its subclass, one entry in
`dlcli/data/sources/__init__.py` and its rules in `BUILTIN_DATASETS` (validate reads them
without this stage); from outside the package, `register_source(...)` adds a source and
its own `rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from dlcli.config.data_sources_schema import DatasetRules
from dlcli.config.schema import Config, DataConfig
from dlcli.data.dataset import Dataset
from dlcli.data.evaluation_data import EvaluationData
from dlcli.data.sources.arrays import build_dataset, load_arrays_file
from dlcli.data.sources.raw import RawData, checked
from dlcli.errors import DataError

# How a raw input of an array source becomes the model's input (export metadata).
NUMERIC_HOW = (
    "x -> reshape(model_shape) -> float32 -> x / scale -> (x - mean) / std "
    "(each step only where set); dlcli.data.preprocess.preprocess_inputs"
)


class FinishedRun(Protocol):
    """What a source reads of a finished run (dlcli.trained.inference.TrainedRun is one)."""

    @property
    def preprocessing(self) -> dict[str, Any]: ...  # its preprocessing.json

    @property
    def config(self) -> Config: ...  # its config.yaml

    @property
    def vocabulary(self) -> list[str]: ...  # a text run's vocabulary.json


class DataSource:
    """One `dataset:` name's behaviour; the defaults are an array source's."""

    name: str = ""  # the `dataset:` name
    rules: DatasetRules = DatasetRules()  # what validate checks (the built-ins': the config's)
    reads_requests: bool = False  # the server hands request inputs to `request_inputs`
    # (file bytes, name, preprocessing.json) -> pixels; a staticmethod where set
    decode_image: Callable[[bytes, str, dict[str, Any]], np.ndarray] | None = None
    how: str = NUMERIC_HOW  # the preprocessing, for the export metadata
    output_note: str = ""  # said after what the output means (export metadata)

    @property
    def needs_path(self) -> bool:
        """Configs of this source must set `path:`."""
        return self.rules.needs_path

    def read(self, cfg: DataConfig, seed: int) -> RawData:
        """The arrays as read (an array source's one duty)."""
        raise NotImplementedError(f"data source {self.name!r} reads no arrays")

    def load(self, cfg: DataConfig, seed: int) -> Dataset:
        """The dataset for training: `read`, checked, then the shared array pipeline."""
        return build_dataset(checked(self.read(cfg, seed), cfg), cfg, seed)

    def predict_inputs(
        self, run: FinishedRun, inputs: list[str], invert: str
    ) -> tuple[Any, Sequence[str]]:
        """`dlcli predict`'s files as the model's inputs, and a label per sample."""
        from dlcli.data.inputs import read_inputs
        from dlcli.data.preprocess import preprocess_inputs
        from dlcli.data.validation import refuse_non_finite

        prep = run.preprocessing
        raw, labels = read_inputs(
            inputs, raw_input_shape(run), target=run.config.data.target, invert=invert,
            preprocessing=prep, decode_image=self.decode_image,
        )  # fmt: skip
        refuse_non_finite(raw, labels)
        return preprocess_inputs(raw, prep), labels

    def request_inputs(self, run: FinishedRun, inputs: list) -> np.ndarray:
        """A server request's inputs as the model's (only with `reads_requests`)."""
        raise NotImplementedError(f"data source {self.name!r} reads no request inputs")

    def evaluation_data(self, path: str, run: FinishedRun) -> EvaluationData:
        """`evaluate --data PATH`: an arrays file through the run's preprocessing."""
        from dlcli.data.preprocess import preprocess_inputs, preprocess_labels

        x, y = load_arrays_file(path, target=run.config.data.target)
        if y is None:
            raise DataError(f"{path}: has inputs but no labels; evaluate needs both")
        prep = run.preprocessing
        x = preprocess_inputs(x, prep)
        return EvaluationData(x, preprocess_labels(y, prep), len(x))

    def to_output_units(self, outputs: np.ndarray, prep: dict[str, Any]) -> np.ndarray:
        """The model's outputs in the user's units (as they are, unless overridden)."""
        return outputs


def raw_input_shape(run: FinishedRun) -> tuple[int, ...]:
    """One raw sample as the training data held it (28x28 for MNIST); reshape follows."""
    shape = run.preprocessing.get("input_shape") or run.config.model.input_shape
    return tuple(int(d) for d in shape)
