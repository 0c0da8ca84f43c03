"""Interrupt a real training, resume it, and end where an uninterrupted run ends."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from tests.helpers.files import REPO, write
from tests.helpers.processes import offline_env, weights

# 800 samples in batches of 4, one batch per call and no XLA: 200 calls per epoch,
# ~0.2 s or more here, slow enough to interrupt between epochs 2 and 6 by polling
# history.json (with dlcli's speed defaults an epoch can take a few milliseconds).
# No shuffling and no dropout, so the resumed run sees exactly the batches an
# uninterrupted run would.
SLOW = """\
name: slow
seed: 3
data:
  dataset: linear
  linear: {samples: 800, features: 2, outputs: 1, noise: 0.1}
  validation: none
  shuffle: false
model:
  input_shape: [2]
  layers:
    - Dense: {units: 4, activation: tanh}
    - Dense: {units: 1}
compile:
  loss: mse
  optimizer: {name: adam, learning_rate: 0.01}
train:
  epochs: 6
  batch_size: 4
  shuffle: false
  jit_compile: false
  steps_per_execution: 1
"""
EPOCHS = 6




def dlcli(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    command = [sys.executable, "-m", "dlcli", *args]
    return subprocess.Popen(command, env=env, text=True, **kwargs)


def finished_epochs(runs: Path) -> int:
    for history in runs.glob("*/history.json"):
        try:
            return len(json.loads(history.read_text())["loss"])
        except (ValueError, KeyError):
            return 0  # written atomically, so only an empty one is possible
    return 0




def test_interrupted_training_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    config = write(tmp_path / "slow.yaml", SLOW)
    runs = tmp_path / "runs"
    env = offline_env(tmp_path)
    proc = dlcli("train", str(config), "--runs-dir", str(runs), env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while finished_epochs(runs) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)

    assert proc.returncode == 130, stderr
    [run] = list(runs.iterdir())
    assert f"dlcli train --resume {run}" in stderr and "Traceback" not in stderr
    status = json.loads((run / "status.json").read_text())
    interrupted_history = json.loads((run / "history.json").read_text())["loss"]
    assert status["state"] == "interrupted"
    assert 2 <= len(interrupted_history) < EPOCHS  # interrupted mid-way, every epoch kept
    assert status["epochs"] == len(interrupted_history)
    assert (run / "plots" / "loss.png").is_file()
    assert not (run / "model.keras").exists()  # an interrupted run does not look complete

    # Resumed in-process: TensorFlow is already started here (a subprocess costs ~10 s).
    resumed = CliRunner().invoke(app, ["train", "--resume", str(run), "-q"])
    assert resumed.exit_code == 0, resumed.output
    history = json.loads((run / "history.json").read_text())["loss"]
    assert len(history) == EPOCHS
    assert history[: len(interrupted_history)] == interrupted_history  # one continuous history
    assert json.loads((run / "status.json").read_text())["state"] == "completed"

    straight = runs.parent / "straight"
    plain = CliRunner().invoke(app, ["train", str(config), "--runs-dir", str(straight), "-q"])
    assert plain.exit_code == 0, plain.output
    [straight_run] = list(straight.iterdir())
    straight_history = json.loads((straight_run / "history.json").read_text())["loss"]
    # Same seed, same batches, optimizer state restored: the same arithmetic in the
    # same order on the CPU, so equal up to float32 rounding (1e-5 leaves room for
    # a different thread split of a reduction; a lost Adam state would differ ~1e-3).
    np.testing.assert_allclose(history, straight_history, rtol=1e-5, atol=1e-6)
    for resumed_w, straight_w in zip(
        weights(run / "model.weights.h5"), weights(straight_run / "model.weights.h5"), strict=True
    ):
        np.testing.assert_allclose(resumed_w, straight_w, rtol=1e-5, atol=1e-6)


SIGNAL_SCRIPT = """\
import sys, time
from dlcli.runtime.interrupts import stop_on_signals
with stop_on_signals("dlcli train --resume RUN"):
    try:
        print("ready", flush=True)
        time.sleep(30)
    except KeyboardInterrupt:
        print("first", flush=True)
        time.sleep(30)  # cleanup that a second Ctrl-C cuts short
print("not reached", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_exits_at_once(tmp_path: Path, signum: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SIGNAL_SCRIPT],
        env=offline_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signum)
    assert proc.stdout.readline().strip() == "first"
    started = time.monotonic()
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert time.monotonic() - started < 20  # not the 30 s the cleanup would take
    assert "not reached" not in stdout
    assert "interrupted again" in stderr and "--resume RUN" in stderr


NAN = """\
name: nan
data:
  dataset: linear
  linear: {samples: 64, features: 1, weights: [[2.0]], bias: [1.0]}
  validation: none
model:
  input_shape: [1]
  layers:
    - Dense: {units: 1}
compile:
  loss: mse
  optimizer: {name: sgd, learning_rate: 3}
train:
  epochs: 20
  batch_size: 8
"""


def test_nan_loss_fails_the_run_naming_epoch_and_batch_and_keeps_the_last_good_weights(
    tmp_path: Path,
) -> None:
    # SGD with learning rate 3 on mse: each step multiplies the error (~|1 - 3·2| for
    # the bias), so the loss overflows after a few epochs, not in the first one.
    config = write(tmp_path / "nan.yaml", NAN)
    result = CliRunner().invoke(app, ["train", str(config), "--runs-dir", str(tmp_path), "-q"])
    assert result.exit_code == 1
    message = result.output
    assert "Traceback" not in message
    assert "NaN or infinite at epoch" in message and "batch" in message
    assert "learning rate too high" in message and "data.scale" in message
    [run] = [p for p in tmp_path.iterdir() if p.name.startswith("nan-")]
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "failed" and "NaN or infinite" in status["reason"]
    history = json.loads((run / "history.json").read_text())["loss"]  # strict JSON: no NaN
    assert history and all(np.isfinite(history))
    bad_epoch = int(message.split("at epoch ")[1].split(",")[0])
    assert len(history) == bad_epoch - 1  # every good epoch, not the bad one
    kept = weights(run / "model.weights.h5")
    assert all(np.isfinite(w).all() for w in kept)
    assert not (run / "model.keras").exists()


def test_resume_refuses_a_changed_config_and_a_completed_run(tmp_path: Path) -> None:
    config = write(
        tmp_path / "xor.yaml",
        (REPO / "configs" / "xor_mlp.yaml").read_text().replace("epochs: 300", "epochs: 2"),
    )
    runner = CliRunner()
    first = runner.invoke(app, ["train", str(config), "--runs-dir", str(tmp_path / "r"), "-q"])
    assert first.exit_code == 0, first.output
    [run] = list((tmp_path / "r").iterdir())

    changed = runner.invoke(app, ["train", "--resume", str(run), "--set", "seed=1"])
    assert changed.exit_code == 2
    assert "different config (changed: seed)" in changed.output

    done = runner.invoke(app, ["train", "--resume", str(run)])
    assert done.exit_code == 2 and "already completed its 2 epochs" in done.output

    fewer = runner.invoke(app, ["train", "--resume", str(run), "--set", "train.epochs=1"])
    assert fewer.exit_code == 2 and "changed: train.epochs" in fewer.output

    from dlcli.runs.catalog import list_runs

    [before] = list_runs(tmp_path / "r")
    more = runner.invoke(app, ["train", "--resume", str(run), "--set", "train.epochs=4", "-q"])
    assert more.exit_code == 0, more.output
    assert len(json.loads((run / "history.json").read_text())["loss"]) == 4
    [after] = list_runs(tmp_path / "r")  # the optimizer's variables are not the model's
    assert after["params"] == before["params"] == 17  # xor_mlp: 2 -> 4 -> 1

    (run / "config.yaml").write_text(
        (run / "config.yaml").read_text().replace("seed: 42", "seed: 7")
    )
    edited = runner.invoke(app, ["train", "--resume", str(run), "--set", "train.epochs=9"])
    assert edited.exit_code == 1 and "was changed after the run started" in edited.output
    assert "Traceback" not in edited.output + changed.output + done.output


def test_resume_of_a_directory_that_is_not_a_run_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--resume", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a dlcli run directory" in result.output
