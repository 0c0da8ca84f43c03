"""`dlcli predict` (and the server's predictions): new inputs read and preprocessed as the
run's training data was, predicted in bounded chunks, and turned into rows — class id,
class name and probability (top-k), a sigmoid's class at a threshold, or the values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.errors import DataError
from dlcli.models.kinds import model_kind
from dlcli.runtime.backend import translated_errors
from dlcli.trained.inference import TrainedRun, check_input_shape, load_trained

PREDICT_CHUNK = 65_536  # rows per model.predict call: what a prediction holds at once


def predict_chunks(
    path: str | Path,
    inputs: list[str],
    top_k: int = 1,
    verbose: bool = False,
    invert: str = "auto",
    threshold: float = 0.5,
) -> tuple[int, Iterator[list[dict[str, Any]]]]:
    """The number of rows, and their predictions PREDICT_CHUNK rows at a time, so a
    caller writing them out never holds more than one chunk of result rows."""
    check_threshold(threshold)
    trained = load_trained(path, verbose)
    cfg = trained.loaded.config
    rows = model_kind(cfg.model.kind).generated_rows(trained.model, cfg, inputs, trained.run.path)
    if rows is not None:  # a kind that makes its outputs (a GAN: inputs say how many)
        return len(rows), iter([rows])
    x, labels = _model_inputs(trained, inputs, invert)
    check_input_shape(trained.model, x, ", ".join(inputs))
    prep, batch_size = trained.preprocessing, trained.loaded.config.train.eval_batch_size

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for start in range(0, len(x), PREDICT_CHUNK):
            part = slice(start, start + PREDICT_CHUNK)
            with translated_errors(DataError, f"cannot predict for {', '.join(inputs)}"):
                outputs = trained.model.predict(x[part], verbose=0, batch_size=batch_size)
            outputs = in_output_units(np.asarray(outputs), trained)
            yield prediction_rows(outputs, labels[part], prep, top_k, threshold)

    return len(x), chunks()


def in_output_units(outputs: np.ndarray, trained: TrainedRun) -> np.ndarray:
    """The outputs in the user's units, by the run's data source: a forecast back in its
    column's own units (the model learned standardised ones); others as they are."""
    return trained.source.to_output_units(outputs, trained.preprocessing)


def _model_inputs(
    trained: TrainedRun, inputs: list[str], invert: str
) -> tuple[Any, Sequence[str]]:
    """The inputs preprocessed as the run's training data was, and a label for each:
    read by the run's data source (files, texts, the last window of a CSV)."""
    return trained.source.predict_inputs(trained, inputs, invert)


def model_inputs(trained: TrainedRun, raw: Any, what: str) -> np.ndarray:
    """Raw inputs preprocessed as the training data was, checked against the model."""
    from dlcli.data.preprocess import preprocess_inputs

    x = preprocess_inputs(raw, trained.preprocessing)
    check_input_shape(trained.model, x, what)
    return x


def check_threshold(threshold: float) -> None:
    if not 0.0 < threshold < 1.0:
        raise DataError(f"threshold must be between 0 and 1 (exclusive), not {threshold}")


def prediction_rows(
    outputs: np.ndarray, labels: list[str], preprocessing: dict, top_k: int, threshold: float
) -> list[dict[str, Any]]:
    """One row per input: class id, class name and probability (top-k), or the values."""
    from dlcli.data.class_names import recorded_class_names

    names = recorded_class_names(preprocessing)
    pairs = zip(labels, outputs, strict=True)
    return [_prediction(label, row, names, top_k, threshold) for label, row in pairs]


def _prediction(
    label: str, row: np.ndarray, names: list[str] | None, top_k: int, threshold: float
) -> dict:
    row = row.reshape(-1)
    extra: dict[str, float] = {}
    if names and len(row) == 1:  # one sigmoid unit: p is the probability of class 1
        p = float(row[0])
        ranked = [(1, p), (0, 1 - p)] if p >= threshold else [(0, 1 - p), (1, p)]
        top = ranked[:top_k]
        extra = {"score": p, "threshold": threshold}
    elif names:
        order = np.argsort(row)[::-1][:top_k]
        top = [(int(i), float(row[i])) for i in order]
    else:
        return {"input": label, "values": [float(v) for v in row]}
    return {
        "input": label,
        "class": top[0][0],
        "class_name": _name(names, top[0][0]),
        "probability": top[0][1],
        **extra,
        "top": [{"class": c, "class_name": _name(names, c), "probability": p} for c, p in top],
    }


def _name(names: list[str], class_id: int) -> str:
    return names[class_id] if class_id < len(names) else str(class_id)
