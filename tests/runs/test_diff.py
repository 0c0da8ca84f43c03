"""`dlcli diff RUN_A RUN_B`: the config keys that differ and the metric deltas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.errors import RunDirError
from dlcli.runs.diff import diff_runs, flatten
from tests.helpers.runs import fake_run


def test_flatten_gives_dotted_keys() -> None:
    nested = {"model": {"layers": [{"Dense": {"units": 512}}], "activation": None},
              "compile": {"metrics": []}}  # fmt: skip
    assert flatten(nested) == {"model.layers.0.Dense.units": 512, "compile.metrics": []}


def test_diff_lists_changed_keys_and_metric_deltas(tmp_path: Path) -> None:
    a = fake_run(tmp_path, "a", val_accuracy=(0.9, 0.95, 0.94), test_accuracy=0.95)
    changed = {"name": "a", "seed": 7, "data": {"dataset": "mnist"},
               "train": {"epochs": 2, "batch_size": 128, "shuffle": False},
               "compile": {"loss": "categorical_crossentropy", "optimizer": {"name": "adam"}}}
    b = fake_run(tmp_path, "b", val_accuracy=(0.96, 0.97), test_accuracy=0.97, config=changed)
    found = diff_runs(a, b)
    keys = {row["key"]: (row["a"], row["b"]) for row in found["config"]}
    assert "name" not in keys and "data.dataset" not in keys  # equal: not listed
    assert keys["seed"] == (42, 7) and keys["train.epochs"] == (3, 2)
    assert keys["compile.optimizer.name"] == ("rmsprop", "adam")
    assert keys["train.shuffle"] == (None, False)  # only B sets it
    metrics = {row["metric"]: row for row in found["metrics"]}
    assert metrics["test_accuracy"]["delta"] == pytest.approx(0.02)
    assert metrics["best val_accuracy"]["delta"] == pytest.approx(0.02)
    assert metrics["epochs"]["delta"] == -1


def test_the_diff_command(tmp_path: Path) -> None:
    a = fake_run(tmp_path, "a")
    b = fake_run(tmp_path, "b", test_accuracy=0.9)
    runner = CliRunner()
    shown = runner.invoke(app, ["diff", str(a), str(b)])
    assert shown.exit_code == 0, shown.output
    assert "name" in shown.output and "test_accuracy" in shown.output and "-0.0500" in shown.output
    same = runner.invoke(app, ["diff", str(a), str(a), "--json"])
    assert json.loads(same.output)["config"] == []
    missing = runner.invoke(app, ["diff", str(a), str(tmp_path / "nope")])
    assert missing.exit_code != 0 and "no such run directory" in missing.output
    with pytest.raises(RunDirError, match="not a dlcli run directory"):
        diff_runs(a, tmp_path)


def test_the_diff_command_shows_bracketed_values_as_they_are(tmp_path: Path) -> None:
    base = {"name": "a", "seed": 1, "data": {"dataset": "mnist"}, "train": {"epochs": 1},
            "compile": {"loss": "mse", "metrics": ["[bold]"]}}  # fmt: skip
    a = fake_run(tmp_path, "a", config=base)
    b = fake_run(tmp_path, "b", config={**base, "compile": {"loss": "mse", "metrics": []}})
    shown = CliRunner().invoke(app, ["diff", str(a), str(b)])
    assert "│ [bold] " in shown.output and "\\[" not in shown.output  # no stray escapes
