"""dlcli.runtime.speed: the speed settings reach Keras (XLA, steps per execution,
determinism, precision). That commands which train nothing never import TensorFlow is
checked in tests/cli/test_startup.py."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.config.loader import load_config
from dlcli.errors import ConfigError
from tests.helpers.files import write

LINEAR = """
name: tiny
seed: 7
data:
  dataset: linear
  linear: {samples: 64, features: 3, outputs: 1, noise: 0.1}
  validation: split
model:
  input_shape: [3]
  layers:
    - Dense: {units: 8, activation: relu}
    - Dense: {units: 1}
compile:
  loss: mse
  optimizer: {name: sgd, learning_rate: 0.05}
train:
  epochs: 3
  batch_size: 8
"""


def config_file(tmp_path: Path, train_extra: str = "", text: str = LINEAR) -> Path:
    extra = "".join(f"  {line}\n" for line in train_extra.splitlines() if line)
    return write(tmp_path / "tiny.yaml", text + extra)


def test_new_train_settings_have_documented_defaults(tmp_path: Path) -> None:
    train = load_config(config_file(tmp_path)).config.train
    assert train.jit_compile == "auto"
    assert train.steps_per_execution == 32
    assert train.eval_batch_size == 1024
    assert train.precision == "float32"
    assert train.deterministic is False


def test_a_run_records_its_xla_decision_and_why_in_env_json_and_the_summary(
    tmp_path: Path,
) -> None:
    run = _train(config_file(tmp_path), tmp_path / "runs")  # 3 epochs of 6 batches: short
    speed = json.loads((run / "env.json").read_text())["speed"]
    assert speed["model_kind"] == "dense"
    assert speed["xla"] is False
    assert speed["xla_reason"].startswith("XLA off: dense layers ran")
    assert "18 training steps do not repay its compile" in speed["xla_reason"]
    assert speed["steps_per_execution"] == 32 and speed["eval_batch_size"] == 1024
    summary = (run / "summary.txt").read_text()
    assert f"Speed (dense model): {speed['xla_reason']}" in summary


def test_deterministic_with_forced_xla_is_a_config_error(tmp_path: Path) -> None:
    path = config_file(tmp_path, "deterministic: true\njit_compile: true")
    with pytest.raises(ConfigError, match="cannot be combined with jit_compile"):
        load_config(path)


def test_steps_per_execution_reaches_the_compiled_model(tmp_path: Path) -> None:
    from dlcli.training.request import Output
    from dlcli.training.runner import prepare_model

    loaded = load_config(config_file(tmp_path, "steps_per_execution: 4"))
    model, _ = prepare_model(loaded, Output("none"))
    assert model.steps_per_execution == 4
    assert model.get_compile_config()["steps_per_execution"] == 4


def test_xla_compiles_training_only_not_the_saved_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keras

    from dlcli.training import runner

    seen: dict[str, bool] = {}

    class Probe(keras.callbacks.Callback):
        def on_train_begin(self, logs=None) -> None:
            seen["fit"] = self.model.jit_compile

    monkeypatch.setattr(runner, "progress_callbacks", lambda output, prefix="": [Probe()])
    run = _train(config_file(tmp_path, "jit_compile: true"), tmp_path / "runs")
    assert seen == {"fit": True}
    with zipfile.ZipFile(run / "model.keras") as saved:
        compile_config = json.loads(saved.read("config.json"))["compile_config"]
    assert compile_config["jit_compile"] is False  # evaluate/predict: no XLA compile


def _trained_weights(run_dir: Path) -> list:
    import h5py
    import numpy as np

    arrays: list = []
    with h5py.File(run_dir / "model.weights.h5", "r") as weights:
        weights.visititems(
            lambda name, item: (
                arrays.append((name, np.array(item)))
                if isinstance(item, h5py.Dataset) and name.startswith("layers/")
                else None
            )
        )
    return arrays


def _train(config: Path, runs: Path) -> Path:
    result = CliRunner().invoke(
        app, ["train", str(config), "--runs-dir", str(runs), "--quiet", "--json"]
    )
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout)["run_dir"])


def test_deterministic_mode_gives_identical_weights_and_is_reset_after(tmp_path: Path) -> None:
    from tensorflow.python.framework.config import is_op_determinism_enabled

    config = config_file(tmp_path, "deterministic: true")
    first = _train(config, tmp_path / "a")
    second = _train(config, tmp_path / "b")
    assert len(_trained_weights(first)) == 4  # two kernels, two biases
    for (name, a), (_, b) in zip(_trained_weights(first), _trained_weights(second), strict=True):
        assert (a == b).all(), name
    assert is_op_determinism_enabled()
    _train(config_file(tmp_path), tmp_path / "c")  # deterministic: false (the default)
    assert not is_op_determinism_enabled()


def test_mixed_precision_on_cpu_is_refused_before_a_run_directory_exists(tmp_path: Path) -> None:
    config = config_file(tmp_path, "precision: mixed_float16\ndevice: cpu")
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["train", str(config), "--runs-dir", str(runs), "--quiet"])
    assert result.exit_code == 1
    assert "only speeds up GPUs" in result.output
    assert "Traceback" not in result.output
    assert not runs.exists() or not any(runs.iterdir())


def test_a_diverging_loss_still_stops_training_with_many_steps_per_execution(
    tmp_path: Path,
) -> None:
    text = LINEAR.replace("learning_rate: 0.05", "learning_rate: 10").replace(
        "epochs: 3", "epochs: 50"
    )
    config = config_file(tmp_path, "steps_per_execution: 32", text=text)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["train", str(config), "--runs-dir", str(runs), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "NaN or infinite at epoch" in result.output
    (run,) = runs.iterdir()
    assert json.loads((run / "status.json").read_text())["state"] == "failed"
