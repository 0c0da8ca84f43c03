"""Request inputs for runs whose data had its own preprocessing: text and time series.

A text run takes raw strings, encoded with the vocabulary saved in the run (never a file
path: a request must not make the server read its files); a time-series run takes
windows of the trained columns in their own units, standardised with the training
statistics. Both as `dlcli predict` prepares them, so the server answers what predict
answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcli.errors import DataError
from dlcli.trained.inference import TrainedRun, check_input_shape

MAX_TEXT_CHARS = 100_000  # one text; longer is cut to sequence_length tokens anyway


def own_inputs(trained: TrainedRun, inputs: Any) -> np.ndarray:
    """The model's input array for `inputs` (a JSON list), or a DataError saying why not."""
    if not isinstance(inputs, list) or not inputs:
        raise DataError('"inputs" must be a non-empty list of samples')
    prep = trained.preprocessing
    x = _texts(trained, inputs) if prep["kind"] == "text" else _windows(inputs, prep)
    check_input_shape(trained.model, x, "inputs")
    return x


def _texts(trained: TrainedRun, inputs: list) -> np.ndarray:
    from dlcli.data.text import encode_texts

    if not all(isinstance(text, str) for text in inputs):
        raise DataError('"inputs" must be a list of strings: this model classifies text')
    if any(len(text) > MAX_TEXT_CHARS for text in inputs):
        raise DataError(f"a text over {MAX_TEXT_CHARS:,} characters; send less")
    return encode_texts(inputs, trained.vocabulary, trained.preprocessing)


def _windows(inputs: list, prep: dict[str, Any]) -> np.ndarray:
    from dlcli.data.timeseries import standardized_windows

    shape = (prep["window"], len(prep["columns"]))
    try:
        raw = np.asarray(inputs, dtype=np.float64)
    except (ValueError, TypeError):
        raw = None
    if raw is None or raw.shape[1:] != shape:
        raise DataError(
            f'"inputs" must be a list of windows, each {shape[0]} rows of the columns '
            f"{', '.join(prep['columns'])} in their own units (shape {list(shape)})"
        )
    if not np.all(np.isfinite(raw)):
        raise DataError('"inputs" holds a NaN or infinite value')
    return standardized_windows(raw, prep)
