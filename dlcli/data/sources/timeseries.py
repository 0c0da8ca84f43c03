"""`dataset: timeseries`: windows of a CSV's columns (or of a generated signal) -> the
target `horizon` steps later, split by time (`dlcli.data.timeseries` cuts them).

A run's inputs are windows in the columns' own units, standardised with the training
statistics: `predict` forecasts from the last window of each CSV, the server takes the
windows themselves, `evaluate --data` scores every window of another CSV. The model
learned standardised targets, so its forecasts are turned back into the target's units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import BUILTIN_DATASETS, TimeseriesData
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.dataset import Dataset
from dlcli.data.evaluation_data import EvaluationData
from dlcli.data.sources.base import DataSource, FinishedRun
from dlcli.errors import DataError


class TimeseriesSource(DataSource):
    name = "timeseries"
    rules = BUILTIN_DATASETS["timeseries"]
    reads_requests = True
    how = (
        "the last `window` rows of `columns`, in their own units -> column i: "
        "(x - mean[i]) / std[i] -> float32. The output is standardised: output * target_std "
        "+ target_mean is `target`, `horizon` steps after the window"
    )
    output_note = "; standardised, see preprocessing.how"

    def load(self, cfg: DataConfig, seed: int) -> Dataset:
        from dlcli.data.timeseries import load_timeseries

        return load_timeseries(cfg, seed)

    def predict_inputs(
        self, run: FinishedRun, inputs: list[str], invert: str
    ) -> tuple[Any, Sequence[str]]:
        """The last window of each CSV."""
        from dlcli.data.timeseries import last_windows

        return last_windows(inputs, run.preprocessing)

    def request_inputs(self, run: FinishedRun, inputs: list) -> np.ndarray:
        """Windows of the trained columns in their own units, standardised."""
        from dlcli.data.timeseries import standardized_windows

        prep = run.preprocessing
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

    def evaluation_data(self, path: str, run: FinishedRun) -> EvaluationData:
        """Every window of the CSV at `path`, scored beside the naive forecast."""
        return _windows_of_csv(path, run.preprocessing, run.config.data)

    def to_output_units(self, outputs: np.ndarray, prep: dict[str, Any]) -> np.ndarray:
        from dlcli.data.timeseries import to_target_units

        return to_target_units(outputs, prep)


def _windows_of_csv(path: str, prep: dict[str, Any], data: DataConfig) -> EvaluationData:
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
