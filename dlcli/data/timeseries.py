"""`dataset: timeseries`: a CSV's columns (or a generated signal) cut into windows.

Sample i is the `window` rows starting at row i (the input columns) and its target is
the target column `horizon` rows after the window's last row. The series is split by
time — training rows first, then validation, then test — and windows never cross a
boundary, so no future leaks into training. Standardisation statistics come from the
training rows only and are recorded for `predict`, which forecasts from the last window
of a CSV. A naive forecast (the target's value at the window's end) is scored on the
evaluation split, so a model's error has something to be compared with. numpy only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import GeneratedSignal, TimeseriesData
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.dataset import Dataset
from dlcli.data.preprocess import column_statistics
from dlcli.data.seeding import rng
from dlcli.errors import DataError


def load_timeseries(cfg: DataConfig, seed: int) -> Dataset:
    ts = cfg.timeseries
    assert ts is not None  # the schema requires the section
    files: dict[str, str] = {}
    header, table, source = _read_series(cfg, ts, seed, files)
    inputs, target = _columns(header, ts, source)
    parts = _time_split(len(table), cfg, ts)
    train_rows = table[: parts["train"][1]]
    mean, std = column_statistics(train_rows)
    scaled = ((table - mean) / std) if ts.standardize else table.copy()
    split = {name: cut_windows(scaled[a:b], inputs, target, ts) for name, (a, b) in parts.items()}
    x_train, y_train = split["train"]
    if cfg.shuffle:  # within the training part only: the split itself stays by time
        order = rng(seed).permutation(len(x_train))
        x_train, y_train = x_train[order], y_train[order]
    x_val, y_val = split.get("validation", (None, None))
    x_test, y_test = split.get("test", (None, None))
    if cfg.validation == "test":
        x_val, y_val = x_test, y_test
    prep = _preprocessing(header, inputs, target, ts, mean, std)
    scored = "test" if x_test is not None else "validation" if x_val is not None else "train"
    info = {
        "source": source,
        "rows": {name: [int(a), int(b)] for name, (a, b) in parts.items()},
        "train_samples": len(x_train),
        "validation_samples": 0 if x_val is None else len(x_val),
        "test_samples": 0 if x_test is None else len(x_test),
        "validation": cfg.validation if x_val is not None else "none",
        "naive_last_value": naive_forecast(scaled, parts, inputs, target, ts, scored),
        "notes": ["split by time: train rows, then validation, then test (see rows)"],
    }
    return Dataset(
        x_train, y_train, x_val, y_val, x_test, y_test, num_classes=None,
        preprocessing=prep, files=files, info=info,
    )  # fmt: skip


def _read_series(
    cfg: DataConfig, ts: TimeseriesData, seed: int, files: dict[str, str]
) -> tuple[list[str], np.ndarray, str]:
    if cfg.path:
        header, table = ff.read_csv(cfg.path)
        ff.record(files, cfg.path)
        return header, table, cfg.path
    signal = ts.generate or GeneratedSignal()
    return *generate_signal(signal, seed), f"generated {signal.kind} ({signal.length} steps)"


# Generated signals with more than one column: (model inputs, target) by default.
GENERATED_COLUMNS = {"echo": (["x"], "echo"), "recall": (["x", "marker"], "recall")}


def generate_signal(signal: GeneratedSignal, seed: int) -> tuple[list[str], np.ndarray]:
    """The teaching series: (column names, table of shape (length, columns))."""
    draws = rng(seed, 7)  # a stream of its own: the series does not move with shuffling
    steps = np.arange(signal.length)
    if signal.kind == "sine":
        value = np.sin(2 * np.pi * steps / 50) + 0.5 * np.sin(2 * np.pi * steps / 13)
        value += draws.normal(0.0, signal.noise, signal.length)
        return ["value"], value[:, np.newaxis]
    x = draws.normal(0.0, 1.0, signal.length)
    if signal.kind == "recall":
        return ["x", "marker", "recall"], _recall(x, signal, draws)
    echo = np.concatenate([np.zeros(signal.lag), x[: -signal.lag]])
    echo += draws.normal(0.0, signal.noise, signal.length)
    return ["x", "echo"], np.stack([x, echo], axis=1)


def _recall(x: np.ndarray, signal: GeneratedSignal, rng: np.random.Generator) -> np.ndarray:
    """Columns x, marker, recall: marker is 1 at steps spaced `marker_gap` apart (drawn
    uniformly), and recall at step t is x at the last marker strictly before t — so with
    horizon 1 the value to recall lies inside any window of at least the largest gap."""
    low, high = signal.marker_gap
    gaps = rng.integers(low, high + 1, size=signal.length // low + 1)
    marks = np.cumsum(gaps) - gaps[0]  # the first marker at step 0
    marker = np.zeros(len(x))
    marker[marks[marks < len(x)]] = 1.0
    last = np.maximum.accumulate(np.where(marker == 1.0, np.arange(len(x)), 0))
    recall = np.concatenate([[0.0], x[last[:-1]]])  # the marker strictly before each step
    recall += rng.normal(0.0, signal.noise, len(x))
    return np.stack([x, marker, recall], axis=1)


def _columns(header: list[str], ts: TimeseriesData, source: str) -> tuple[list[int], int]:
    """Indices of the input columns and of the target column."""
    generated = GENERATED_COLUMNS.get(ts.generate.kind) if ts.generate else None
    if generated and generated[1] != header[-1]:  # data.path was read, not the signal
        generated = None
    default_inputs, default_target = generated or (header, None)
    wanted = ts.columns or default_inputs
    for name in [*wanted, *([ts.target] if ts.target else [])]:
        if name not in header:
            raise DataError(
                f"data.timeseries: {source} has no column {name!r} (it has: {', '.join(header)})"
            )
    return [header.index(c) for c in wanted], header.index(ts.target or default_target or wanted[0])


def _time_split(rows: int, cfg: DataConfig, ts: TimeseriesData) -> dict[str, tuple[int, int]]:
    """Row ranges of train, validation and test, in time order; each must hold a window."""
    test = int(rows * cfg.test_split)
    val = int((rows - test) * cfg.validation_split) if cfg.validation == "split" else 0
    train_end = rows - test - val
    parts = {"train": (0, train_end)}
    if val:
        parts["validation"] = (train_end, train_end + val)
    if test:
        parts["test"] = (train_end + val, rows)
    need = ts.window + ts.horizon
    for name, (a, b) in parts.items():
        if b - a < need:
            raise DataError(
                f"data.timeseries.window: a window of {ts.window} steps plus a horizon of "
                f"{ts.horizon} needs {need} rows, but the {name} part of the series has "
                f"{b - a} (of {rows} rows in all): shorten the window, or use a longer series"
                + ("" if name == "train" else " or a larger split")
            )
    return parts


def cut_windows(
    part: np.ndarray, inputs: list[int], target: int, ts: TimeseriesData
) -> tuple[np.ndarray, np.ndarray]:
    """x of shape (n, window, inputs) and y of shape (n, 1)."""
    count = len(part) - ts.window - ts.horizon + 1
    view = np.lib.stride_tricks.sliding_window_view(part[:, inputs], ts.window, axis=0)
    x = np.ascontiguousarray(view[:count].transpose(0, 2, 1), dtype=np.float32)
    first = ts.window - 1 + ts.horizon
    y = part[first : first + count, target].astype(np.float32)[:, np.newaxis]
    return x, y


def naive_forecast(
    scaled, parts, inputs, target, ts: TimeseriesData, split: str
) -> dict[str, Any]:
    """The error of forecasting 'the target stays at its value at the window's end'."""
    a, b = parts[split]
    part = scaled[a:b]
    count = len(part) - ts.window - ts.horizon + 1
    guess = part[ts.window - 1 : ts.window - 1 + count, target]
    truth = part[ts.window - 1 + ts.horizon : ts.window - 1 + ts.horizon + count, target]
    error = guess - truth
    units = "standardised" if ts.standardize else "as read"
    return {
        "split": split,
        "mae": float(np.abs(error).mean()),
        "mse": float((error**2).mean()),
        "units": units,
    }


def _preprocessing(header, inputs, target, ts: TimeseriesData, mean, std) -> dict[str, Any]:
    standardize = ts.standardize
    return {
        "kind": "timeseries",
        "columns": [header[i] for i in inputs],
        "target": header[target],
        "window": ts.window,
        "horizon": ts.horizon,
        "mean": [float(mean[i]) if standardize else 0.0 for i in inputs],
        "std": [float(std[i]) if standardize else 1.0 for i in inputs],
        "target_mean": float(mean[target]) if standardize else 0.0,
        "target_std": float(std[target]) if standardize else 1.0,
        "input_shape": [ts.window, len(inputs)],
        "sample_shape": [ts.window, len(inputs)],
        "reshape": None,
        "scale": None,
        "standardize": False,  # done here, per column; preprocess_inputs must not redo it
        "labels": "raw",
        "num_classes": None,
    }


def last_windows(paths: list[str], prep: dict[str, Any]) -> tuple[np.ndarray, list[str]]:
    """For `predict`: the last window of each CSV, standardised as in training."""
    windows, labels = [], []
    for path in paths:
        header, table = ff.read_csv(path)
        missing = [c for c in prep["columns"] if c not in header]
        if missing:
            raise DataError(
                f"{path}: has no column {', '.join(map(repr, missing))}; the model was "
                f"trained on columns {', '.join(prep['columns'])}"
            )
        if len(table) < prep["window"]:
            raise DataError(
                f"{path}: {len(table)} rows, but a forecast needs the last {prep['window']} "
                "(the training window)"
            )
        rows = table[-prep["window"] :, [header.index(c) for c in prep["columns"]]]
        windows.append(standardized_windows(rows, prep))
        labels.append(f"{Path(path).name} (next {prep['target']}, +{prep['horizon']})")
    return np.asarray(windows, dtype=np.float32), labels


def standardized_windows(raw: np.ndarray, prep: dict[str, Any]) -> np.ndarray:
    """Windows (or one window) in the columns' own units, standardised as in training."""
    return ((raw - np.asarray(prep["mean"])) / np.asarray(prep["std"])).astype(np.float32)


def to_target_units(outputs: np.ndarray, prep: dict[str, Any]) -> np.ndarray:
    """Forecasts back in the target column's own units."""
    return outputs * prep["target_std"] + prep["target_mean"]
