"""`dlcli evaluate RUN --data PATH` for the sources with their own preprocessing.

A run trained on an image folder, a text CSV/folder or a time series is scored on other
data of the same kind with exactly the preprocessing recorded in its
preprocessing.json (and, for text, its saved vocabulary): nothing is fitted on the
evaluation data. Class labels map to the TRAINING class indices (a held-out folder with
a subset of the classes is fine; a class the model never saw is refused), time series
are standardised with the training mean and std, so the metrics are in the units of the
run's own test metrics. Image folders are streamed, never loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import TextData, TimeseriesData
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.preprocess import preprocess_labels
from dlcli.errors import DataError


@dataclass
class EvaluationData:
    """What to score the model on: arrays, or a batched stream (then `y` is None)."""

    x: Any
    y: np.ndarray | None
    samples: int
    extra: dict[str, Any] = field(default_factory=dict)  # more facts for evaluation.json


def read_evaluation_data(
    path: str, prep: dict[str, Any], data: DataConfig, vocabulary: list[str] | None,
    batch_size: int,
) -> EvaluationData:  # fmt: skip
    """`path` read and preprocessed as the run's own data was (`prep` is its
    preprocessing.json, `data` its config's data section, `vocabulary` a text run's)."""
    kind = prep.get("kind")
    if kind == "timeseries":
        return _timeseries(path, prep, data)
    if kind == "text":
        assert vocabulary is not None  # the caller reads a text run's
        return _text(path, prep, data.text or TextData(), vocabulary)
    if kind == "image_folder":
        return _image_folder(Path(path), prep, batch_size)
    raise DataError(f"evaluate --data is not available for dataset {kind!r} runs")


def _class_ids(found: list[str], prep: dict[str, Any], path: str, what: str) -> np.ndarray:
    """Each found class name as its index in the training classes; an unseen one refused."""
    known = [str(name) for name in prep["class_names"]]
    unknown = sorted(set(found) - set(known))
    if unknown:
        raise DataError(
            f"{path}: {what} {', '.join(map(repr, unknown))} the model was not trained on "
            f"(its classes: {', '.join(known)})"
        )
    return np.asarray([known.index(name) for name in found], dtype=np.int64)


# --- time series ---------------------------------------------------------------------


def _timeseries(path: str, prep: dict[str, Any], data: DataConfig) -> EvaluationData:
    from dlcli.data.timeseries import cut_windows, naive_forecast

    header, table = ff.read_csv(path)
    wanted = [*prep["columns"], prep["target"]]
    missing = [c for c in dict.fromkeys(wanted) if c not in header]
    if missing:
        raise DataError(
            f"{path}: has no column {', '.join(map(repr, missing))}; the model was trained "
            f"on columns {', '.join(prep['columns'])} with target {prep['target']!r}"
        )
    need = prep["window"] + prep["horizon"]
    if len(table) < need:
        raise DataError(
            f"{path}: {len(table)} rows, but one window of {prep['window']} steps plus a "
            f"horizon of {prep['horizon']} needs {need}"
        )
    # The inputs, then the target, standardised with the TRAINING statistics.
    mean = np.asarray([*prep["mean"], prep["target_mean"]])
    std = np.asarray([*prep["std"], prep["target_std"]])
    scaled = (table[:, [header.index(c) for c in wanted]] - mean) / std
    standardize = data.timeseries.standardize if data.timeseries else True
    ts = TimeseriesData(window=prep["window"], horizon=prep["horizon"], standardize=standardize)
    inputs, target = list(range(len(prep["columns"]))), len(prep["columns"])
    x, y = cut_windows(scaled, inputs, target, ts)
    naive = naive_forecast(scaled, {"data": (0, len(scaled))}, inputs, target, ts, "data")
    naive.pop("split")
    return EvaluationData(x, y, len(x), {"naive_last_value": naive})


# --- text ----------------------------------------------------------------------------


def _text(path: str, prep: dict[str, Any], tx: TextData, vocabulary: list[str]) -> EvaluationData:
    from dlcli.data.text import encode_texts, read_labelled_texts

    source = Path(path)
    if not source.exists():
        raise DataError(f"{path}: no such file or folder (a text CSV, or one folder per class)")
    texts, labels = read_labelled_texts(source, tx, {})  # as training read them
    ids = _class_ids(labels, prep, path, "has labels")
    x = encode_texts(texts, vocabulary, prep)
    return EvaluationData(x, preprocess_labels(ids, prep), len(x))


# --- image folder --------------------------------------------------------------------


def _image_folder(folder: Path, prep: dict[str, Any], batch_size: int) -> EvaluationData:
    """Streamed in file order (no shuffle), decoded and resized as training decoded,
    scaled by the run's `scale`; labels are the training class indices."""
    from dlcli.data.image_folder import image_stream

    files = _image_files(folder, prep)
    return EvaluationData(image_stream(files, prep, batch_size), None, len(files))


def _image_files(folder: Path, prep: dict[str, Any]) -> list[tuple[str, int]]:
    """(path, TRAINING class id) of every image; each class folder must be a training
    class and hold images that read, of the run's size unless the run resized."""
    from dlcli.data.image_folder import check_trained_size, scan_folder

    scan = scan_folder(folder, min_classes=1)
    ids = _class_ids(list(scan.images), prep, str(folder), "has class folders")
    for size, path in scan.sizes.items():  # the first image of each size found
        check_trained_size(size, str(path), prep)
    return [(str(p), int(k)) for k, paths in zip(ids, scan.images.values(), strict=True)
            for p in paths]  # fmt: skip
