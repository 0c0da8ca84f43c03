"""The shared pipeline of the array sources: their `RawData` -> the `Dataset` to fit.

Pipeline: the source's arrays (`DataSource.read`, checked by `raw.checked`) -> keep the
first train/test_samples -> shuffle the training set once (run seed) -> split off
validation -> reshape, cast to float32, scale, standardize -> encode labels. Everything
needed to preprocess new inputs the same way ends up in `Dataset.preprocessing` (JSON),
which the runner saves and `preprocess_inputs`/`preprocess_labels` replay for predict
and evaluate. Also the arrays files of `evaluate --data` (`load_arrays_file`).

No TensorFlow here: numpy only (Keras is imported lazily only to download a dataset).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.class_names import class_names
from dlcli.data.dataset import Dataset
from dlcli.data.images import training_background
from dlcli.data.preprocess import (
    class_ids,
    fit_inputs,
    preprocess_inputs,
    preprocess_labels,
)
from dlcli.data.seeding import rng
from dlcli.data.sources.raw import RawData
from dlcli.errors import DataError


def build_dataset(raw: RawData, cfg: DataConfig, seed: int) -> Dataset:
    """The dataset to fit from an array source's checked arrays."""
    _keep_first(raw, cfg)
    if cfg.shuffle:
        order = rng(seed).permutation(len(raw.x_train))
        raw.x_train, raw.y_train = raw.x_train[order], raw.y_train[order]
    x_train, y_train, x_val, y_val = _split_validation(raw, cfg)

    x_train, prep = _fit_inputs(raw, x_train, cfg)
    x_test = None if raw.x_test is None else preprocess_inputs(raw.x_test, prep)
    if cfg.validation == "test":
        x_val = x_test  # the very same arrays: validation *is* the test split
    elif x_val is not None:
        x_val = preprocess_inputs(x_val, prep)

    labels = [y for y in (y_train, y_val, raw.y_test) if y is not None]
    prep["labels"] = cfg.labels
    prep["num_classes"] = _num_classes(labels, cfg)
    prep["class_names"] = class_names(cfg, prep["num_classes"])
    y_train = preprocess_labels(y_train, prep)
    y_test = None if raw.y_test is None else preprocess_labels(raw.y_test, prep)
    if cfg.validation == "test":
        y_val = y_test
    elif y_val is not None:
        y_val = preprocess_labels(y_val, prep)

    info = {
        **raw.info,
        "train_samples": len(x_train),
        "validation_samples": 0 if x_val is None else len(x_val),
        "test_samples": 0 if x_test is None else len(x_test),
        "validation": cfg.validation if x_val is not None else "none",
        "notes": raw.notes,
    }
    return Dataset(
        x_train,
        y_train,
        x_val,
        y_val,
        x_test,
        y_test,
        num_classes=prep["num_classes"],
        preprocessing=prep,
        files=raw.files,
        info=info,
    )


def _fit_inputs(raw: RawData, x_train, cfg: DataConfig) -> tuple[Any, dict[str, Any]]:
    """The training inputs preprocessed, and the preprocessing with what predict, serve
    and export need beyond the arithmetic to read new inputs right."""
    background = training_background(x_train)
    x_train, prep = fit_inputs(x_train, cfg)
    prep["columns"] = raw.info.get("columns")  # csv: x columns by name, training order
    prep["image_background"] = background  # grayscale images: "dark" (MNIST) or "light"
    if "categorical" in raw.info:  # how predict encodes new rows' categories
        prep["categorical"] = raw.info["categorical"]
    return x_train, prep


def _keep_first(raw: RawData, cfg: DataConfig) -> None:
    """train_samples / test_samples: keep the first N, as read (before shuffling)."""
    if cfg.train_samples is not None:
        if cfg.train_samples > len(raw.x_train):
            raw.notes.append(
                f"train_samples {cfg.train_samples} > {len(raw.x_train)} available: kept all"
            )
        raw.x_train, raw.y_train = (
            raw.x_train[: cfg.train_samples],
            raw.y_train[: cfg.train_samples],
        )
    if cfg.test_samples is not None and raw.x_test is not None and raw.y_test is not None:
        raw.x_test, raw.y_test = raw.x_test[: cfg.test_samples], raw.y_test[: cfg.test_samples]


def _split_validation(
    raw: RawData, cfg: DataConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(x_train, y_train, x_val, y_val); validation is the last fraction, as in Keras."""
    x, y = raw.x_train, raw.y_train
    if cfg.validation == "test":
        if raw.x_test is None:
            raise DataError(
                f"validation: test needs a test split, and {raw.info['source']} has none "
                "(set data.test_split > 0, or use validation: split)"
            )
        return x, y, None, None  # filled in by the caller with the preprocessed test set
    if cfg.validation == "none" or cfg.validation_split == 0:
        return x, y, None, None
    count = int(len(x) * cfg.validation_split)
    if count < 1:
        raw.notes.append(
            f"validation_split {cfg.validation_split} of {len(x)} training samples is "
            "< 1 sample: no validation data"
        )
        return x, y, None, None
    if count >= len(x):
        raise DataError(f"validation_split {cfg.validation_split} leaves no training samples")
    return x[:-count], y[:-count], x[-count:], y[-count:]


# --- labels ---------------------------------------------------------------------------


def _num_classes(labels: list[np.ndarray], cfg: DataConfig) -> int | None:
    if cfg.labels == "raw":
        return cfg.num_classes  # regression or already encoded: only if the user says so
    largest = max(int(class_ids(y, cfg.labels).max(initial=0)) for y in labels)
    if cfg.num_classes is None:
        return largest + 1
    if largest >= cfg.num_classes:
        raise DataError(
            f"num_classes is {cfg.num_classes} but the labels go up to {largest} "
            f"(raise num_classes to at least {largest + 1}, or leave it unset)"
        )
    return cfg.num_classes


# --- files for evaluate / predict -----------------------------------------------------


def load_arrays_file(path: str, target: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """x (and y if the file has it) from .npz, .npy or .csv, for `dlcli evaluate --data`.

    npz: x_test/y_test, else x/y, else x_train/y_train. csv: `target` is the y column;
    without it (or when the file lacks that column) every column is x and y is None.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        pairs = [("x_test", "y_test"), ("x", "y"), ("x_train", "y_train")]
        x, y, _ = ff.pick_arrays(ff.load_npz(path), pairs, path)
        return x, y
    if suffix == ".npy":
        return ff.load_npy(path), None
    if suffix == ".csv":
        header, body = ff.read_csv(path)
        if target is not None and target in header:
            return ff.split_csv_columns(header, body, target, path)
        return body, None
    ff.require_file(path, "data file")
    raise DataError(f"{path!r}: unsupported file type {suffix!r} (use .npz, .npy or .csv)")
