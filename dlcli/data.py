"""Load the dataset a config names and preprocess it, ready for `model.fit`.

Pipeline: read the source (dlcli.data_sources) -> keep the first train/test_samples
-> shuffle the training set once (run seed) -> split off validation -> reshape, cast
to float32, scale, standardize -> encode labels. Everything needed to preprocess new
inputs the same way ends up in `Dataset.preprocessing` (JSON), which the runner saves
and `preprocess_inputs`/`preprocess_labels` replay for predict and evaluate.

No TensorFlow here: numpy only (Keras is imported lazily only to download a dataset).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlcli import file_formats as ff
from dlcli.data_sources import RawData, load_source, rng
from dlcli.errors import DataError
from dlcli.keras_datasets import encode_sequences, sequence_encoding
from dlcli.schema import DataConfig


@dataclass
class Dataset:
    x_train: np.ndarray  # float32, preprocessed, shape (n, *sample_shape)
    y_train: np.ndarray  # float32 one-hot (onehot), int64 (sparse), float32 (raw)
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    num_classes: int | None  # onehot/sparse: number of classes; None for raw labels
    preprocessing: dict[str, Any]  # JSON: how to preprocess new inputs the same way
    files: dict[str, str]  # absolute path of each local file read -> sha256 (hex)
    info: dict[str, Any]  # JSON facts: source, sample counts, notes, (linear) true W/b


def load_dataset(cfg: DataConfig, seed: int) -> Dataset:
    raw = load_source(cfg, seed)
    _keep_first(raw, cfg)
    if cfg.shuffle:
        order = rng(seed).permutation(len(raw.x_train))
        raw.x_train, raw.y_train = raw.x_train[order], raw.y_train[order]
    x_train, y_train, x_val, y_val = _split_validation(raw, cfg)

    prep = _fit_inputs(x_train, cfg)
    x_train = _shape_and_scale(x_train, prep)
    _fit_standardize(x_train, prep)
    x_train = _standardize(x_train, prep)
    x_test = None if raw.x_test is None else preprocess_inputs(raw.x_test, prep)
    if cfg.validation == "test":
        x_val = x_test  # the very same arrays: validation *is* the test split
    elif x_val is not None:
        x_val = preprocess_inputs(x_val, prep)

    labels = [y for y in (y_train, y_val, raw.y_test) if y is not None]
    prep["labels"] = cfg.labels
    prep["num_classes"] = _num_classes(labels, cfg)
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


# --- inputs ---------------------------------------------------------------------------


def _fit_inputs(x_train: np.ndarray, cfg: DataConfig) -> dict[str, Any]:
    """The preprocessing dict, minus standardization statistics and labels."""
    input_shape = tuple(int(d) for d in x_train.shape[1:])
    sample_shape = input_shape
    if cfg.reshape is not None:
        size = int(np.prod(input_shape, dtype=np.int64))
        try:  # numpy resolves -1 and checks the size for us
            sample_shape = np.empty(size, dtype=np.uint8).reshape(cfg.reshape).shape
        except ValueError:
            raise DataError(
                f"reshape {cfg.reshape} does not fit the samples: each has shape "
                f"{list(input_shape)} ({size} values); the new shape must hold {size} "
                "values too (use -1 for one dimension to have it computed)"
            ) from None
    prep: dict[str, Any] = {
        "input_shape": list(input_shape),  # one raw sample, as read
        "reshape": cfg.reshape,
        "sample_shape": [int(d) for d in sample_shape],  # one sample, as the model sees it
        "scale": cfg.scale,
        "standardize": cfg.standardize,
        "mean": None,
        "std": None,
    }
    encoding = sequence_encoding(cfg)
    if encoding is not None:  # imdb/reuters: word ids >= num_words -> oov, pad/cut to length
        prep["sequences"] = encoding
    return prep


def _fit_standardize(x_train: np.ndarray, prep: dict[str, Any]) -> None:
    if not prep["standardize"]:
        return
    mean = x_train.mean(axis=0, dtype=np.float64)
    std = x_train.std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0  # a constant feature (e.g. an image border) stays 0, not NaN
    prep["mean"], prep["std"] = mean.tolist(), std.tolist()


def preprocess_inputs(x: np.ndarray, preprocessing: dict[str, Any]) -> np.ndarray:
    """Reshape, cast, scale and standardize new inputs exactly as the training data was.

    A single sample (shape = the raw input shape) gets a batch dimension of 1. Word-id
    sequences (imdb/reuters) first get the training data's rare-word mapping and length.
    """
    if preprocessing.get("sequences"):
        x = _encode_word_ids(x, preprocessing["sequences"])
    return _standardize(_shape_and_scale(x, preprocessing), preprocessing)


def _encode_word_ids(x: Any, encoding: dict[str, Any]) -> np.ndarray:
    """One sequence (1-D), or one per sample (2-D, or a list of lists of any lengths)."""
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except ValueError:  # sequences of different lengths
            ragged = np.empty(len(x), dtype=object)
            ragged[:] = [list(seq) for seq in x]
            x = ragged
    if x.dtype == object and x.ndim == 1:
        sequences = [_word_ids(seq, ndim=1) for seq in x]
    elif x.ndim in (1, 2):
        sequences = _word_ids(x, ndim=x.ndim)
        if x.ndim == 1:
            sequences = sequences[np.newaxis]
    else:
        raise DataError(
            f"inputs of shape {list(x.shape)} are not word-id sequences: give one "
            "sequence, or one per sample"
        )
    return encode_sequences(sequences, **encoding)


def _word_ids(seq: Any, ndim: int) -> np.ndarray:
    try:
        values = np.asarray(seq, dtype=np.float64)
    except (ValueError, TypeError):
        values = np.array([np.nan])
    ok = values.ndim == ndim and np.all(np.isfinite(values)) and np.all(values >= 0)
    if not (ok and np.all(values % 1 == 0)):
        raise DataError(
            "inputs must be word-id sequences: lists of word ids (integers >= 0), "
            "as in the training data"
        )
    return values.astype(np.int64)


def _shape_and_scale(x: np.ndarray, prep: dict[str, Any]) -> np.ndarray:
    x = np.asarray(x)
    input_shape, sample_shape = tuple(prep["input_shape"]), tuple(prep["sample_shape"])
    if x.shape == input_shape:
        x = x[np.newaxis]
    elif input_shape == (1,) and x.ndim == 1:  # one feature: n values are n samples
        x = x[:, np.newaxis]
    per_sample = int(np.prod(x.shape[1:], dtype=np.int64)) if x.ndim > 0 else 0
    if x.shape[1:] != sample_shape:
        # Accept raw samples (reshaped below) or ones already in the model's shape.
        fits = prep["reshape"] is not None and per_sample == np.prod(sample_shape)
        if x.ndim == 0 or not (x.shape[1:] == input_shape or fits):
            raise DataError(
                f"inputs have sample shape {list(x.shape[1:])}; the model was trained "
                f"on samples of shape {list(input_shape)}"
                + (f" (reshaped to {list(sample_shape)})" if sample_shape != input_shape else "")
            )
        x = x.reshape((len(x), *sample_shape))
    try:
        x = x.astype(np.float32)
    except (ValueError, TypeError) as exc:
        raise DataError(f"inputs must be numeric, got {x.dtype} ({exc})") from None
    if prep["scale"]:
        x /= np.float32(prep["scale"])
    return x


def _standardize(x: np.ndarray, prep: dict[str, Any]) -> np.ndarray:
    if prep["standardize"] and prep["mean"] is not None:
        x -= np.asarray(prep["mean"], dtype=np.float32)
        x /= np.asarray(prep["std"], dtype=np.float32)
    return x


# --- labels ---------------------------------------------------------------------------


def _num_classes(labels: list[np.ndarray], cfg: DataConfig) -> int | None:
    if cfg.labels == "raw":
        return cfg.num_classes  # regression or already encoded: only if the user says so
    largest = max(int(_class_ids(y, cfg.labels).max(initial=0)) for y in labels)
    if cfg.num_classes is None:
        return largest + 1
    if largest >= cfg.num_classes:
        raise DataError(
            f"num_classes is {cfg.num_classes} but the labels go up to {largest} "
            f"(raise num_classes to at least {largest + 1}, or leave it unset)"
        )
    return cfg.num_classes


def _class_ids(y: np.ndarray, mode: str) -> np.ndarray:
    """Labels as a vector of non-negative int64 class ids, or a DataError."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(
            f"labels: {mode} needs one class id per sample, but y has shape {list(y.shape)} "
            "(if y is already one-hot, use labels: raw)"
        )
    try:
        values = y.astype(np.float64)
    except (ValueError, TypeError):
        values = np.array([np.nan])
    if not (np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(values % 1 == 0)):
        raise DataError(
            f"labels: {mode} needs integer class labels (0, 1, 2, ...); these are not "
            "(use labels: raw for regression targets)"
        )
    return values.astype(np.int64)


def preprocess_labels(y: np.ndarray, preprocessing: dict[str, Any]) -> np.ndarray:
    """Encode labels as the training labels were: onehot, sparse (int64) or raw."""
    mode, num_classes = preprocessing["labels"], preprocessing["num_classes"]
    if mode == "raw":
        try:
            return np.asarray(y).astype(np.float32)
        except (ValueError, TypeError) as exc:
            raise DataError(f"labels must be numeric ({exc})") from None
    ids = _class_ids(y, mode)
    if len(ids) and ids.max() >= num_classes:
        raise DataError(
            f"label {int(ids.max())} is not one of the {num_classes} classes the model knows"
        )
    if mode == "sparse":
        return ids
    return np.eye(num_classes, dtype=np.float32)[ids]


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
