"""Nothing runs that should not: no code from YAML tags, layer names or saved models,
paths relative to the config, and no file written outside the run directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.config.loader import load_config
from dlcli.errors import ConfigError
from tests.helpers.files import REPO, write

XOR = (REPO / "configs" / "xor_mlp.yaml").read_text(encoding="utf-8")


def test_yaml_python_tags_construct_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    config = write(
        tmp_path / "c.yaml",
        f'name: !!python/object/apply:os.system ["touch {marker}"]\n' + XOR.split("\n", 1)[1],
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert "could not determine a constructor" in str(caught.value)
    assert not marker.exists()


@pytest.fixture
def run_with_lambda_model(tmp_path: Path) -> tuple[Path, Path]:
    """A run directory whose model.keras, saved by Keras itself, carries a Lambda layer
    that would create a marker file if its code ever ran."""
    import keras

    marker = tmp_path / "code_ran"
    run = tmp_path / "tampered-run"
    run.mkdir()
    touch = str(marker)
    inputs = keras.Input((2,))
    code = keras.layers.Lambda(lambda x: x + (open(touch, "w").close() or 0.0), output_shape=(2,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(code(inputs)))
    model.save(run / "model.keras")
    # Control: the file is a real threat. Loaded without safe mode and used, it runs code.
    unsafe = keras.saving.load_model(run / "model.keras", safe_mode=False)
    unsafe.predict(np.zeros((1, 2)), verbose=0)
    assert marker.exists()
    marker.unlink()
    (run / "config.yaml").write_text(XOR, encoding="utf-8")
    (run / "status.json").write_text(json.dumps({"state": "completed"}), encoding="utf-8")
    (run / "preprocessing.json").write_text(json.dumps({"input_shape": [2]}), encoding="utf-8")
    return run, marker


@pytest.mark.parametrize("command", ["inspect", "evaluate", "predict"])
def test_a_model_carrying_a_lambda_layer_is_refused(run_with_lambda_model, command) -> None:
    run, marker = run_with_lambda_model
    args = [command, str(run)]
    if command == "predict":
        args.append(str(REPO / "configs" / "data" / "xor_inputs.csv"))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert f"{run / 'model.keras'}: cannot load the model" in result.output
    assert "unsafe to load" in result.output and "Lambda" in result.output
    assert not marker.exists()  # the lambda's code never ran
    assert isinstance(result.exception, SystemExit)


def test_data_paths_are_relative_to_the_config_not_the_shell(tmp_path, monkeypatch) -> None:
    config = write(
        tmp_path / "experiments" / "c.yaml",
        "model: {input_shape: [2], layers: [{Dense: {units: 1}}]}\ncompile: {loss: mse}\n"
        "data: {dataset: csv, path: data/points.csv, target: y}\n",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = load_config(os.path.relpath(config, elsewhere))
    assert loaded.config.data.path == str(tmp_path / "experiments" / "data" / "points.csv")


@pytest.mark.parametrize("name", ["../escape", "a/b", "/abs", "..", ".hidden"])
def test_run_names_cannot_leave_the_runs_directory(tmp_path: Path, name: str) -> None:
    config = write(tmp_path / "c.yaml", XOR)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(
        app, ["train", str(config), "--name", name, "--runs-dir", str(runs), "-q"]
    )
    assert result.exit_code == 2 and "cannot name a run directory" in result.output
    with pytest.raises(ConfigError, match="cannot name a run directory"):
        load_config(config, [f"name={json.dumps(name)}"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]  # nothing written


def test_a_training_writes_only_inside_its_run_directory(tmp_path, monkeypatch) -> None:
    config = write(tmp_path / "cfg" / "xor.yaml", XOR.replace("epochs: 300", "epochs: 2"))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = {p for p in tmp_path.rglob("*")}
    result = CliRunner().invoke(
        app, ["train", str(config), "--runs-dir", str(tmp_path / "runs"), "-q"]
    )
    assert result.exit_code == 0, result.output
    [run] = list((tmp_path / "runs").iterdir())
    new = {p for p in tmp_path.rglob("*")} - before
    outside = [p for p in new if p != tmp_path / "runs" and run not in (p, *p.parents)]
    assert outside == []
    assert (run / "model.keras").is_file()
