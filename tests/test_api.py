"""The Python API (dlcli.api, re-exported from dlcli): the same behaviour, run directory and
errors as the command line, on tiny inline data so it stays fast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlcli import Run, compare, compare_optimizers, evaluate, inspect, load_config, predict, train
from dlcli.cli.app import app
from dlcli.errors import ConfigError, DataError, RunDirError, UsageError
from tests.helpers.configs import three_class_config


def cli(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    folder = tmp_path_factory.mktemp("api")
    run = train(three_class_config(folder), runs_dir=folder / "runs", progress="none")
    return run, folder


def test_the_api_is_importable_from_dlcli_whatever_was_imported_first():
    import dlcli.comparison.plan  # noqa: F401  (the stage is named apart from the function)

    assert dlcli.compare is compare and callable(compare)
    assert compare.__module__ == "dlcli.api.workflows"
    assert {"load_config", "train", "evaluate", "predict", "compare", "Run"} <= set(dlcli.__all__)


def test_load_config_validates_as_validate_does(tmp_path: Path):
    loaded = load_config(three_class_config(tmp_path), overrides=["train.epochs=5"])
    assert loaded.config.train.epochs == 5 and loaded.config.compile.optimizer.name == "adam"
    with pytest.raises(ConfigError) as raised:
        load_config(three_class_config(tmp_path), overrides=["train.epoch=5"])
    printed = cli("validate", three_class_config(tmp_path), "--set", "train.epoch=5")
    assert printed.exit_code == 2 == raised.value.exit_code
    assert str(raised.value.problems[0]) in printed.output
    assert "did you mean 'epochs'" in str(raised.value.problems[0])


def test_train_returns_the_run_with_path_history_metrics_and_model(trained):
    run, _ = trained
    assert run.path.is_dir() and run.path.name.startswith("tiny-")
    assert json.loads((run.path / "status.json").read_text())["state"] == "completed"
    assert len(run.history["loss"]) == 2 and len(run.history["val_accuracy"]) == 2
    assert set(run.metrics) == {"loss", "accuracy"} and run.evaluated_on == "test"
    on_disk = json.loads((run.path / "metrics.json").read_text())
    assert {k: v for k, v in on_disk.items() if k != "split"} == run.metrics
    probabilities = run.model.predict(np.zeros((3, 4), dtype="float32"), verbose=0)
    assert probabilities.shape == (3, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_run_open_reads_a_run_trained_earlier(trained):
    run, _ = trained
    opened = Run.open(run.path)
    assert opened.history == run.history and opened.metrics == run.metrics
    assert opened.evaluated_on == "test" and opened.status["state"] == "completed"
    assert len(opened.model.layers) == 2


def test_evaluate_and_predict_as_the_commands_do(trained, tmp_path: Path):
    run, _ = trained
    record = evaluate(run)
    test_samples = json.loads((run.path / "data.json").read_text())["test_samples"]
    assert record["data"] == "test" and record["samples"] == test_samples > 0
    assert record["metrics"]["loss"] == pytest.approx(run.metrics["loss"], rel=1e-4)
    assert json.loads((run.path / "evaluation.json").read_text()) == record
    inputs = tmp_path / "inputs.csv"
    inputs.write_text("0.1,0.2,0.3,0.4\n2.0,1.0,0.0,0.0\n")
    rows = predict(run, [inputs], top_k=2)
    assert [row["input"] for row in rows] == [f"{inputs}:row 1", f"{inputs}:row 2"]
    assert all(row["class"] in (0, 1, 2) and len(row["top"]) == 2 for row in rows)
    layers = inspect(run)
    assert [layer["type"] for layer in layers] == ["Dense", "Dense"]
    assert [w["shape"] for w in layers[0]["weights"]] == [[4, 8], [8]]


def test_errors_are_the_cli_errors_with_the_same_messages(trained, tmp_path: Path):
    run, _ = trained
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("1,2,3\n")
    with pytest.raises(DataError) as raised:
        predict(run, [wrong])
    printed = cli("predict", run.path, wrong)
    assert printed.exit_code == 1 == raised.value.exit_code
    assert f"error: {raised.value}" in printed.output
    with pytest.raises(RunDirError) as raised:
        Run.open(tmp_path)
    printed = cli("evaluate", tmp_path)
    assert printed.exit_code == raised.value.exit_code
    assert f"error: {raised.value}" in printed.output
    with pytest.raises(ConfigError):
        train(tmp_path / "missing.yaml", runs_dir=tmp_path / "runs", progress="none")
    with pytest.raises(UsageError, match="progress must be"):
        train(three_class_config(tmp_path), progress="fancy")
    with pytest.raises(UsageError, match="--name"):
        train(three_class_config(tmp_path), name="../escape", progress="none")
    assert not (tmp_path / "runs").exists()  # no mistake left a run directory


def test_compare_returns_the_comparison(tmp_path: Path):
    result = compare(
        three_class_config(tmp_path), vary=["train.batch_size=8,16"], overrides=["train.epochs=1"],
        runs_dir=tmp_path / "runs", progress="none",
    )  # fmt: skip
    assert result.path.is_dir() and (result.path / "comparison.json").is_file()
    assert [m.state for m in result.plan.members] == ["completed", "completed"]
    assert {row["group"] for row in result.summary["ranking"]} == {"batch_size=8", "batch_size=16"}
    assert result.summary["best_vs_runner_up"]["n"] == [1, 1]  # one seed: no test possible
    with pytest.raises(UsageError, match="at least one --vary"):
        compare(three_class_config(tmp_path), runs_dir=tmp_path / "runs", progress="none")


def test_both_comparisons_take_one_list_of_keywords_and_refuse_others(tmp_path: Path):
    from dlcli.api.workflows import COMPARISON_DEFAULTS, ComparisonOptions

    assert set(COMPARISON_DEFAULTS) == set(ComparisonOptions.__annotations__)
    with pytest.raises(TypeError, match="unexpected keyword argument 'seed'"):
        compare(three_class_config(tmp_path), vary=["train.epochs=1,2"], seed=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'seed'"):
        compare_optimizers(three_class_config(tmp_path), seed=2)
