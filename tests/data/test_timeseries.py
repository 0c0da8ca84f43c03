"""dlcli.data.timeseries: windows, a split by time, train-only scaling, predict's window."""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.config.data_sources_schema import GeneratedSignal
from dlcli.config.schema import DataConfig
from dlcli.data.pipeline import load_dataset
from dlcli.data.timeseries import generate_signal, last_windows, to_target_units
from dlcli.errors import DataError


def series_csv(tmp_path, values) -> str:
    path = tmp_path / "series.csv"
    rows = "\n".join(f"{v},{10 * v}" for v in values)
    path.write_text(f"a,b\n{rows}\n")
    return str(path)


def cfg(path: str | None = None, **timeseries) -> DataConfig:
    fields = {"dataset": "timeseries", "timeseries": {"window": 3, **timeseries},
              "test_split": 0.2, "validation_split": 0.25, "shuffle": False}  # fmt: skip
    if path:
        fields["path"] = path
    return DataConfig.model_validate(fields)


def test_windows_predict_the_value_horizon_steps_after_the_window(tmp_path) -> None:
    path = series_csv(tmp_path, range(50))
    data = load_dataset(cfg(path, columns=["a"], target="a", horizon=2, standardize=False), 0)
    assert data.x_train.shape[1:] == (3, 1)
    # the first window is rows 0, 1, 2; two steps after its end is row 4
    assert data.x_train[0, :, 0].tolist() == [0, 1, 2]
    assert data.y_train[0, 0] == 4


def test_split_is_by_time_and_windows_never_cross_it(tmp_path) -> None:
    data = load_dataset(cfg(series_csv(tmp_path, range(100)), standardize=False), 0)
    rows = data.info["rows"]
    assert rows == {"train": [0, 60], "validation": [60, 80], "test": [80, 100]}
    assert data.y_train.max() < 60 <= data.x_val.min()  # nothing later leaks into training
    assert data.y_val.max() < 80 <= data.x_test.min()


def test_scaling_comes_from_the_training_rows_only(tmp_path) -> None:
    values = np.arange(100.0)
    data = load_dataset(cfg(series_csv(tmp_path, values), columns=["a"]), 0)
    mean, std = data.preprocessing["mean"][0], data.preprocessing["std"][0]
    assert mean == pytest.approx(values[:60].mean()) and std == pytest.approx(values[:60].std())
    assert data.preprocessing["target"] == "a"


def test_naive_last_value_baseline_is_recorded(tmp_path) -> None:
    data = load_dataset(cfg(series_csv(tmp_path, np.arange(100.0) * 2), standardize=False), 0)
    naive = data.info["naive_last_value"]
    assert naive["split"] == "test" and naive["mae"] == pytest.approx(2.0)


def test_a_window_longer_than_a_part_of_the_series_is_refused(tmp_path) -> None:
    with pytest.raises(DataError, match=r"data.timeseries.window.*validation part .* has 4"):
        load_dataset(cfg(series_csv(tmp_path, range(20)), window=8), 0)
    with pytest.raises(DataError, match=r"needs 31 rows, but the train part .* has 12"):
        load_dataset(cfg(series_csv(tmp_path, range(20)), window=30), 0)


def test_an_unknown_column_names_the_ones_there_are(tmp_path) -> None:
    with pytest.raises(DataError, match="no column 'c' .*it has: a, b"):
        load_dataset(cfg(series_csv(tmp_path, range(50)), columns=["c"]), 0)


def test_generated_echo_target_is_the_input_lag_steps_back() -> None:
    data = load_dataset(cfg(generate={"kind": "echo", "length": 200, "lag": 3, "noise": 0},
                            standardize=False), 0)  # fmt: skip
    # window 3, horizon 1: the target is the input 3 steps before row i+3, i.e. row i
    assert np.allclose(data.x_train[:, 0, 0], data.y_train[:, 0])


def test_generated_recall_target_is_x_at_the_last_marker_before_each_step() -> None:
    signal = GeneratedSignal(kind="recall", length=500, marker_gap=(4, 9), noise=0)
    header, table = generate_signal(signal, 3)
    assert header == ["x", "marker", "recall"]
    x, marker, recall = table.T
    marks = np.flatnonzero(marker)
    assert marks[0] == 0 and set(np.diff(marks)) <= set(range(4, 10))  # gaps as asked
    assert set(np.unique(marker)) == {0.0, 1.0}
    for t in range(1, 500):
        assert recall[t] == x[marks[marks < t][-1]]  # strictly before t: not seen yet
    assert np.array_equal(generate_signal(signal, 3)[1], table)  # the seed reproduces it
    assert not np.array_equal(generate_signal(signal, 4)[1], table)


def test_generated_recall_feeds_x_and_marker_and_forecasts_recall() -> None:
    generate = {"kind": "recall", "length": 300, "noise": 0, "marker_gap": [4, 9]}
    data = load_dataset(cfg(window=9, generate=generate, standardize=False), 0)
    assert data.preprocessing["columns"] == ["x", "marker"]
    assert data.preprocessing["target"] == "recall"
    # each window of 9 >= the largest gap holds a marker; the target is x at its last one
    for window, target in zip(data.x_train, data.y_train[:, 0], strict=True):
        last = np.flatnonzero(window[:, 1])[-1]
        assert target == window[last, 0]


def test_a_marker_gap_with_min_above_max_is_refused() -> None:
    with pytest.raises(ValueError, match="marker_gap"):
        GeneratedSignal(kind="recall", marker_gap=(9, 4))


def test_predict_takes_the_last_window_of_a_csv_and_undoes_the_scaling(tmp_path) -> None:
    data = load_dataset(cfg(series_csv(tmp_path, np.arange(100.0)), columns=["a", "b"]), 0)
    prep = data.preprocessing
    newer = tmp_path / "newer.csv"
    newer.write_text("b,a\n" + "\n".join(f"{10 * v},{v}" for v in range(200, 210)) + "\n")
    x, labels = last_windows([str(newer)], prep)
    assert x.shape == (1, 3, 2) and "newer.csv" in labels[0]
    raw = x[0] * np.asarray(prep["std"]) + np.asarray(prep["mean"])
    assert raw[:, 0].tolist() == pytest.approx([207, 208, 209])  # columns matched by name
    assert to_target_units(np.array([0.0]), prep)[0] == pytest.approx(prep["target_mean"])
    short = tmp_path / "short.csv"
    short.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="needs the last 3"):
        last_windows([str(short)], prep)
