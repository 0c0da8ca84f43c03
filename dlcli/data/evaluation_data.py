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

import json
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
    path: str, prep: dict[str, Any], data: DataConfig, run_dir: Path, batch_size: int
) -> EvaluationData:
    """`path` read and preprocessed as the run's own data was (`prep` is its
    preprocessing.json, `data` its config's data section)."""
    kind = prep.get("kind")
    if kind == "timeseries":
        return _timeseries(path, prep, data)
    if kind == "text":
        return _text(path, prep, data.text or TextData(), run_dir)
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
    from dlcli.data.timeseries import _naive, _windows

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
    x, y = _windows(scaled, inputs, target, ts)
    naive = _naive(scaled, {"data": (0, len(scaled))}, inputs, target, ts, "data")
    naive.pop("split")
    return EvaluationData(x, y, len(x), {"naive_last_value": naive})


# --- text ----------------------------------------------------------------------------


def _text(path: str, prep: dict[str, Any], tx: TextData, run_dir: Path) -> EvaluationData:
    from dlcli.data.text import _read, encode_texts

    source = Path(path)
    if not source.exists():
        raise DataError(f"{path}: no such file or folder (a text CSV, or one folder per class)")
    texts, labels = _read(source, tx, {})  # CSV or class folders, as training read them
    ids = _class_ids(labels, prep, path, "has labels")
    saved = run_dir / prep["vocabulary_file"]
    if not saved.is_file():
        raise DataError(f"{saved}: missing; the run's vocabulary is needed to encode {path}")
    vocabulary = json.loads(saved.read_text(encoding="utf-8"))
    x = encode_texts(texts, vocabulary, prep)
    return EvaluationData(x, preprocess_labels(ids, prep), len(x))


# --- image folder --------------------------------------------------------------------


def _image_folder(folder: Path, prep: dict[str, Any], batch_size: int) -> EvaluationData:
    """Streamed in file order (no shuffle), decoded and resized by the reader training
    used, scaled by the run's `scale`; labels are the training class indices."""
    counts = _image_classes(folder, prep)
    return EvaluationData(_image_stream(folder, list(counts), prep, batch_size),
                          None, sum(counts.values()))  # fmt: skip


def _image_classes(folder: Path, prep: dict[str, Any]) -> dict[str, int]:
    """Class subfolder -> its image count; each must be a training class and hold images,
    every image's header must read (so a broken file is named before any batch)."""
    from PIL import Image

    from dlcli.data.image_folder import IMAGE_SUFFIXES

    if not folder.is_dir():
        raise DataError(f"{str(folder)!r} is not a folder (one subfolder per class of images)")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataError(f"{str(folder)!r}: no class subfolders (one per class, as in training)")
    _class_ids([p.name for p in classes], prep, str(folder), "has class folders")
    counts = {}
    for class_dir in classes:
        paths = sorted(p for p in class_dir.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise DataError(f"{str(class_dir)!r}: class {class_dir.name!r} holds no images")
        for image in paths:
            try:
                with Image.open(image) as img:
                    img.verify()
            except (OSError, SyntaxError, ValueError) as exc:
                raise DataError(f"{str(image)!r}: not a readable image ({exc})") from None
        counts[class_dir.name] = len(paths)
    return counts


def _image_stream(folder: Path, classes: list[str], prep: dict[str, Any], batch_size: int):
    import keras
    import tensorflow as tf

    # The folder's own classes, read by the training reader; then each label becomes
    # the TRAINING index of its class (a subset of classes keeps the model's numbering).
    stream = keras.utils.image_dataset_from_directory(
        str(folder), labels="inferred", label_mode="int", class_names=classes,
        color_mode=prep["color_mode"], image_size=tuple(prep["input_shape"][:2]),
        batch_size=batch_size, shuffle=False, verbose=False,
    )  # fmt: skip
    to_training = tf.constant(_class_ids(classes, prep, str(folder), "has class folders"))
    scale = np.float32(prep["scale"])
    onehot = prep["labels"] == "onehot"
    depth = int(prep["num_classes"])

    def relabel(x, y):
        ids = tf.gather(to_training, y)
        labels = tf.one_hot(ids, depth, dtype=tf.float32) if onehot else tf.cast(ids, tf.int32)
        return x / scale, labels

    return stream.map(relabel).prefetch(tf.data.AUTOTUNE)
