"""The data sources of `data.dataset`: each returns raw train and test arrays.

A source yields a `RawData` (arrays as read, before any preprocessing); `dlcli.data.pipeline`
then cuts, shuffles, splits off validation and preprocesses. Sources without a test
split of their own (linear, csv, npz without x_test) hold out `test_split`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcli.config.schema import KERAS_DATASETS, DataConfig, LinearData
from dlcli.data import formats as ff
from dlcli.data.keras_datasets import KERAS_SEED, load_builtin
from dlcli.errors import DataError


@dataclass
class RawData:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    files: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # must include "source"
    notes: list[str] = field(default_factory=list)  # choices a user should know about
    names: dict[str, str] = field(default_factory=dict)  # "x_train" -> name in the file, if other


def rng(seed: int, *stream: int) -> np.random.Generator:
    """A generator for `seed`; `stream` gives independent ones."""
    return np.random.default_rng([seed, *stream] if stream else seed)


def load_source(cfg: DataConfig, seed: int) -> RawData:
    if cfg.dataset in KERAS_DATASETS:
        files: dict[str, str] = {}
        arrays, source = load_builtin(cfg.dataset, cfg, files)
        raw = RawData(**arrays, files=files)
        raw.info["source"] = source
    elif cfg.dataset == "inline":
        raw = _inline(cfg)
    elif cfg.dataset == "linear":
        raw = _linear(cfg, seed)
    elif cfg.dataset == "npz":
        raw = _npz(cfg)
    elif cfg.dataset == "csv":
        raw = _csv(cfg)
    elif cfg.dataset == "idx":
        files = {}
        arrays = ff.load_idx_folder(_path(cfg), files)
        raw = RawData(**arrays, files=files, info={"source": f"IDX files in {cfg.path}"})
    else:  # the schema only lets known names through
        raise DataError(f"unknown dataset {cfg.dataset!r}")
    _check_lengths(raw)  # before anything indexes y by x's samples
    if raw.x_test is None:
        hold_out_test(raw, cfg)
    _features_as_columns(raw)
    return raw


def hold_out_test(raw: RawData, cfg: DataConfig) -> None:
    """Move the last `test_split` of the samples to the test set (sources without one).

    With `shuffle`, the samples are first permuted with a fixed seed, not the run's: the
    test set belongs to the data, so runs with different seeds are scored on the same
    samples and can be compared.
    """
    n = len(raw.x_train)
    count = int(n * cfg.test_split)
    if count < 1:
        if cfg.test_split > 0:
            raw.notes.append(f"test_split {cfg.test_split} of {n} samples is < 1: no test set")
        return
    if count >= n:
        raise DataError(f"test_split {cfg.test_split} leaves no training samples out of {n}")
    order = rng(KERAS_SEED).permutation(n) if cfg.shuffle else np.arange(n)
    train, test = order[: n - count], order[n - count :]
    raw.x_test, raw.y_test = raw.x_train[test], raw.y_train[test]
    raw.x_train, raw.y_train = raw.x_train[train], raw.y_train[train]


def _path(cfg: DataConfig) -> str:
    assert cfg.path is not None  # the schema requires `path:` for file sources
    return cfg.path


def _inline(cfg: DataConfig) -> RawData:
    x = _numeric(cfg.x, "data.x")
    y = _numeric(cfg.y, "data.y")
    # A truth table has no held-out rows: the model is scored on the rows it learns.
    raw = RawData(x, y, x.copy(), y.copy(), info={"source": f"inline ({len(x)} rows)"})
    raw.notes.append("inline data: the test set is the training rows themselves")
    return raw


def _numeric(values: Any, where: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{where} must be a list of numbers or of equally long lists of numbers ({exc})"
        ) from None
    if array.ndim == 0 or len(array) == 0:
        raise DataError(f"{where} must be a non-empty list, one entry per sample")
    return array


def _linear(cfg: DataConfig, seed: int) -> RawData:
    lin = cfg.linear or LinearData()
    low, high = lin.x_range
    if not low < high:
        raise DataError(
            f"data.linear.x_range must be [low, high] with low < high, not {[low, high]}"
        )
    # Separate streams: x and noise stay the same whether or not W and b are given.
    if lin.weights is None:
        weights = rng(seed, 1).normal(size=(lin.features, lin.outputs))
    else:
        weights = _numeric(lin.weights, "data.linear.weights")
        if weights.shape != (lin.features, lin.outputs):
            raise DataError(
                f"data.linear.weights has shape {list(weights.shape)}; it needs "
                f"features x outputs = [{lin.features}, {lin.outputs}] "
                f"({lin.features} rows of {lin.outputs} numbers)"
            )
    if lin.bias is None:
        bias = rng(seed, 2).normal(size=lin.outputs)
    else:
        bias = _numeric(lin.bias, "data.linear.bias")
        if bias.shape != (lin.outputs,):
            raise DataError(
                f"data.linear.bias has {bias.size} numbers; it needs one per output ({lin.outputs})"
            )
    x = rng(seed, 3).uniform(low, high, size=(lin.samples, lin.features))
    y = x @ weights + bias
    if lin.noise > 0:
        y = y + rng(seed, 4).normal(0.0, lin.noise, size=y.shape)
    raw = RawData(x, y, None, None)
    raw.info.update(
        source=f"linear: {lin.samples} samples, {lin.features} features, {lin.outputs} outputs, "
        f"noise {lin.noise}",
        true_weights=weights.tolist(),
        true_bias=bias.tolist(),
    )
    return raw


def _npz(cfg: DataConfig) -> RawData:
    path = _path(cfg)
    arrays = ff.load_npz(path)
    x, y, x_name = ff.pick_arrays(arrays, [("x_train", "y_train"), ("x", "y")], path)
    y_name = "y_train" if x_name == "x_train" else "y"
    if y is None:
        raise DataError(f"{path!r} has {x_name} but no {y_name} (the training targets)")
    raw = RawData(x, y, arrays.get("x_test"), arrays.get("y_test"), info={"source": path})
    raw.names = {"x_train": x_name, "y_train": y_name}
    ff.record(raw.files, path)
    if (raw.x_test is None) != (raw.y_test is None):
        raise DataError(f"{path!r} must hold both x_test and y_test, or neither")
    return raw


def _csv(cfg: DataConfig) -> RawData:
    path = _path(cfg)
    assert cfg.target is not None  # the schema requires `target:` for csv
    if cfg.categorical:  # category names -> one-hot columns (dlcli.data.categorical)
        from dlcli.data.categorical import read_categorical_csv

        x, y, encoding = read_categorical_csv(path, cfg.target, cfg.categorical)
        raw = RawData(x, y, None, None, info={"source": path, "columns": encoding["columns"],
                                             "categorical": encoding})  # fmt: skip
        ff.record(raw.files, path)
        return raw
    header, body = ff.read_csv(path)
    x, y = ff.split_csv_columns(header, body, cfg.target, path)
    columns = [c for c in header if c != cfg.target]
    raw = RawData(x, y, None, None, info={"source": path, "columns": columns})
    ff.record(raw.files, path)
    return raw


def _check_lengths(raw: RawData) -> None:
    """x and y of each split: arrays of samples, as many of one as of the other."""
    for split in ("train", "test"):
        x, y = getattr(raw, f"x_{split}"), getattr(raw, f"y_{split}")
        x_name = raw.names.get(f"x_{split}", f"x_{split}")
        y_name = raw.names.get(f"y_{split}", f"y_{split}")
        for name, array in ((x_name, x), (y_name, y)):
            if array is not None and np.ndim(array) == 0:
                raise DataError(
                    f"{raw.info.get('source')}: {name} is a single value, not an array "
                    "with one entry per sample"
                )
        if x is not None and y is not None and len(x) != len(y):
            raise DataError(
                f"{raw.info.get('source')}: {x_name} has {len(x)} samples "
                f"but {y_name} has {len(y)}: they must match one to one"
            )
    if len(raw.x_train) == 0:
        raise DataError(f"{raw.info.get('source')}: no training samples")


def _features_as_columns(raw: RawData) -> None:
    """x of shape (n,) is n samples of one feature: make it (n, 1), as Dense expects."""
    if raw.x_train.ndim == 1 and raw.x_train.dtype != object:
        raw.x_train = raw.x_train[:, np.newaxis]
        if raw.x_test is not None and raw.x_test.ndim == 1:
            raw.x_test = raw.x_test[:, np.newaxis]
