"""A trained run ready to answer requests: validate, preprocess, predict, describe.

The same steps as `dlcli predict`: inputs as the training data held them, preprocessed
by `preprocess_inputs` with the run's preprocessing.json, rows built by
`prediction_rows` (class, class name, probability; sigmoid: class at a threshold), and
named columns matched by name. Every problem with a request is a DataError, which the
app turns into a 4xx JSON answer.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.data.columns import records_to_array
from dlcli.data.images import INVERT_MODES
from dlcli.data.sources.base import raw_input_shape
from dlcli.data.validation import refuse_booleans
from dlcli.errors import DataError, first_line
from dlcli.serving.limits import ServeLimits, TooLarge, check_image_header, parse_json_body
from dlcli.serving.own_inputs import own_inputs
from dlcli.trained.inference import TrainedRun, load_trained
from dlcli.trained.model_info import describe
from dlcli.trained.prediction import (
    check_threshold,
    in_output_units,
    model_inputs,
    prediction_rows,
)

MAX_SAMPLES = 256  # inputs in one request; more is a 413
MAX_TOP_K = 100


@dataclass
class Options:
    top_k: int = 1
    threshold: float = 0.5
    invert: str = "auto"


class Predictor:
    def __init__(self, trained: TrainedRun, limits: ServeLimits | None = None):
        self.trained = trained
        self.metadata = describe(trained)
        self.raw_shape = raw_input_shape(trained)
        self.max_image_values = (limits or ServeLimits()).image_values(math.prod(self.raw_shape))
        # One request parsed, decoded and predicted at a time: 2 cores gain nothing
        # from more, and each one's memory is then only one request's.
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, path: str | Path, verbose: bool = False, limits: ServeLimits | None = None
    ) -> Predictor:
        return cls(load_trained(path, verbose), limits)

    def predict_json(self, body: bytes) -> list[dict[str, Any]]:
        """{"inputs": [...], "top_k": 1, "threshold": 0.5} -> one row per input."""
        with self._lock:
            return self._predict_json(body)

    def predict_images(self, images: list[tuple[str, bytes]], options: Options):
        """Uploaded image files, read as `dlcli predict` reads image files."""
        with self._lock:
            return self._predict_images(images, options)

    def _predict_json(self, body: bytes) -> list[dict[str, Any]]:
        request = parse_json_body(body)
        unknown = sorted(set(request) - {"inputs", "top_k", "threshold"})
        if unknown:
            raise DataError(f"unknown field {', '.join(map(repr, unknown))}; send "
                            '{"inputs": [...], "top_k": 1, "threshold": 0.5}')  # fmt: skip
        options = _options(request.get("top_k", 1), request.get("threshold", 0.5), "auto")
        if self.trained.source.reads_requests:  # e.g. raw strings, or windows of a series
            inputs = request.get("inputs")
            if isinstance(inputs, list) and len(inputs) > MAX_SAMPLES:
                raise TooLarge(f"{len(inputs)} inputs in one request; the limit is {MAX_SAMPLES}")
            x = own_inputs(self.trained, inputs)
            return self._forward(x, [f"inputs[{i}]" for i in range(len(x))], options)
        raw = self._json_inputs(request.get("inputs"))
        labels = [f"inputs[{i}]" for i in range(len(raw))] if len(raw) > 1 else ["inputs"]
        return self._predict(raw, labels, options)

    def _predict_images(self, images: list[tuple[str, bytes]], options: Options):
        from dlcli.data.inputs import InputFacts, read_image

        if not images:
            raise DataError("no image in the upload: send the file(s) as form field 'file'")
        if len(images) > MAX_SAMPLES:
            raise TooLarge(f"{len(images)} images in one request; the limit is {MAX_SAMPLES}")
        facts = InputFacts(None, options.invert, self.trained.preprocessing,
                           self.trained.source.decode_image)  # fmt: skip
        pixels, labels = [], []
        for name, data in images:
            check_image_header(data, name, self.max_image_values)
        for name, data in images:
            x, label = read_image(io.BytesIO(data), name, self.raw_shape, facts)
            pixels.append(x)
            labels.extend(label)
        return self._predict(np.concatenate(pixels), labels, options)

    def _json_inputs(self, inputs: Any) -> Any:
        if not isinstance(inputs, list) or not inputs:
            raise DataError('"inputs" must be a non-empty list of samples')
        if len(inputs) > MAX_SAMPLES * max(1, self.raw_shape[0] if self.raw_shape else 1):
            raise TooLarge(f"{len(inputs)} inputs in one request; the limit is {MAX_SAMPLES}")
        columns = self.trained.preprocessing.get("columns")
        if columns and isinstance(inputs[0], dict):
            return records_to_array(inputs, columns, "inputs")
        if self.trained.preprocessing.get("sequences"):
            return inputs  # word-id lists of any length: preprocess_inputs checks them
        refuse_booleans(inputs, "inputs")  # np.asarray would take them as 1.0 and 0.0
        try:
            raw = np.asarray(inputs, dtype=np.float64)
        except (ValueError, TypeError):
            raise DataError(
                '"inputs" must hold numbers only, every sample of the same shape '
                f"{list(self.raw_shape)}" + (f" or objects of columns {columns}" if columns else "")
            ) from None
        if not np.all(np.isfinite(raw)):
            raise DataError('"inputs" holds a NaN or infinite value')
        if raw.size > MAX_SAMPLES * math.prod(self.raw_shape):
            raise TooLarge(f"more than {MAX_SAMPLES} samples in one request")
        return raw

    def _predict(self, raw: Any, labels: list[str], options: Options) -> list[dict[str, Any]]:
        with np.errstate(over="ignore"):  # overflow is reported just below, as a 400
            x = model_inputs(self.trained, raw, "inputs")
        return self._forward(x, labels, options)

    def _forward(self, x: np.ndarray, labels: list[str], options: Options) -> list[dict]:
        if not np.all(np.isfinite(x)):  # e.g. 1e308: finite in JSON, inf as float32
            raise DataError("an input is too large to compute with (not finite as float32)")
        if len(x) != len(labels):  # one sample given as one array: label it once
            labels = [f"inputs[{i}]" for i in range(len(x))]
        try:
            outputs = np.asarray(self.trained.model(x, training=False))
        except Exception as error:  # TF raises many kinds on inputs it cannot take
            why = first_line(error)
            raise DataError(f"the model cannot take these inputs: {why}") from None
        if not np.all(np.isfinite(outputs)):
            raise DataError("the model's output for these inputs is not finite (NaN or inf)")
        prep = self.trained.preprocessing
        outputs = in_output_units(outputs, self.trained)
        return prediction_rows(outputs, labels, prep, options.top_k, options.threshold)


def _options(top_k: Any, threshold: Any, invert: Any) -> Options:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise DataError(f'"top_k" must be a whole number from 1 to {MAX_TOP_K}')
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or (
        isinstance(threshold, float) and not math.isfinite(threshold)
    ):
        raise DataError('"threshold" must be a number between 0 and 1')
    check_threshold(float(threshold))
    if invert not in INVERT_MODES:
        raise DataError(f'"invert" must be one of {", ".join(INVERT_MODES)}')
    return Options(top_k, float(threshold), invert)


def form_options(top_k: str | None, threshold: str | None, invert: str | None) -> Options:
    """Options sent as form fields beside an uploaded image."""
    try:
        k = 1 if top_k is None else int(top_k)
        t = 0.5 if threshold is None else float(threshold)
    except ValueError:
        raise DataError('"top_k" must be a whole number and "threshold" a number') from None
    return _options(k, t, invert or "auto")
