"""Preprocessing, fitted on the training split and replayed on every later input.

`fit_inputs` learns what to do from the training inputs (shape, scaling, standardising
statistics, word-id encoding) and returns it as JSON-ready data, which the run saves as
preprocessing.json; `preprocess_inputs` and `preprocess_labels` replay it, so training,
`evaluate`, `predict` (and any export or server) treat inputs the one same way.
numpy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcli.config.schema import DataConfig
from dlcli.errors import DataError

START_CHAR, OOV_CHAR, INDEX_FROM = 1, 2, 3  # Keras's word-index conventions (0 = padding)
DEFAULT_SEQUENCE_LENGTH = 200


def fit_inputs(x_train: np.ndarray, cfg: DataConfig) -> tuple[np.ndarray, dict[str, Any]]:
    """The training inputs preprocessed, and the preprocessing (JSON) that did it."""
    prep = _fit_inputs(x_train, cfg)
    x_train = _shape_and_scale(x_train, prep)
    _fit_standardize(x_train, prep)
    return _standardize(x_train, prep), prep


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
    mean, std = column_statistics(x_train)
    prep["mean"], prep["std"] = mean.tolist(), std.tolist()


def column_statistics(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation along the sample axis, in float64, for standardising."""
    mean = x_train.mean(axis=0, dtype=np.float64)
    std = x_train.std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0  # a constant feature (e.g. an image border) stays 0, not NaN
    return mean, std


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


def class_ids(y: np.ndarray, mode: str) -> np.ndarray:
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
    ids = class_ids(y, mode)
    if len(ids) and ids.max() >= num_classes:
        raise DataError(
            f"label {int(ids.max())} is not one of the {num_classes} classes the model knows"
        )
    if mode == "sparse":
        return ids
    return np.eye(num_classes, dtype=np.float32)[ids]


def encode_sequences(
    sequences: Any, num_words: int | None, length: int, oov: int = OOV_CHAR
) -> np.ndarray:
    """Rare words (index >= num_words) -> `oov`, then pad/cut at the front to `length`.

    Front padding and truncation, as keras.utils.pad_sequences does by default: the
    end of a review (often its verdict) is kept.
    """
    out = np.zeros((len(sequences), length), dtype=np.int32)
    for i, seq in enumerate(sequences):
        seq = np.asarray(seq, dtype=np.int64)[-length:]
        if num_words is not None:
            seq = np.where(seq >= num_words, oov, seq)
        if len(seq):
            out[i, -len(seq) :] = seq
    return out


def sequence_encoding(cfg: DataConfig) -> dict[str, Any] | None:
    """imdb/reuters: the arguments of `encode_sequences`, as JSON (None for other data).

    Recorded in preprocessing.json, so that new inputs get the same encoding.
    """
    if cfg.dataset not in ("imdb", "reuters"):
        return None
    length = cfg.sequence_length or DEFAULT_SEQUENCE_LENGTH
    return {"num_words": cfg.num_words, "length": length, "oov": OOV_CHAR}
