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


def test_an_alias_bomb_config_is_refused_at_its_line_not_expanded(tmp_path: Path) -> None:
    """Read as a config file is read (dlcli.config.yaml_reader): 9**10 values once
    expanded, refused while composing; plain yaml.load ran out of memory on it."""
    a, b = fake_run(tmp_path, "a"), fake_run(tmp_path, "b")
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (b / "config.yaml").write_text("\n".join(lines) + "\n")
    shown = CliRunner().invoke(app, ["diff", str(a), str(b)])
    assert shown.exit_code == 1 and "Traceback" not in shown.output
    assert f"{b / 'config.yaml'}:6:" in shown.output and "MAX_CONFIG_VALUES" in shown.output


def test_a_deeply_nested_config_is_refused_at_its_line(tmp_path: Path) -> None:
    a, b = fake_run(tmp_path, "a"), fake_run(tmp_path, "b")
    (b / "config.yaml").write_text("name: b\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(RunDirError, match=r"config.yaml:2:.*nests deeper than 64 levels"):
        diff_runs(a, b)
