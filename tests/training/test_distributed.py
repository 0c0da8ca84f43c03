"""Data-parallel training across processes (dlcli.training.distributed): real jobs of
two processes on 127.0.0.1 (JAX backend, gloo collectives), and the refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from tests.helpers.files import write
from tests.helpers.processes import DISTRIBUTED_CONFIG, offline_env, weights


def dlcli(tmp_path: Path, *args: str, env: dict | None = None, timeout: float = 400):
    env = {**offline_env(tmp_path), **(env or {})}
    return subprocess.run([sys.executable, "-m", "dlcli", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def run_dirs(runs: Path) -> list[Path]:
    return sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A run of DISTRIBUTED_CONFIG by two local processes: (folder, run 0, run 1)."""
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    folder = tmp_path_factory.mktemp("dp")
    config = write(folder / "dp.yaml", DISTRIBUTED_CONFIG)
    runs, workers = folder / "runs", folder / "workers"
    two = dlcli(folder, "train", str(config), "--backend", "jax", "--processes", "2",
                "--runs-dir", str(runs), "--json", env={"DLCLI_WORKER_DIR": str(workers)})
    assert two.returncode == 0, two.stderr[-3000:]
    [run] = run_dirs(runs)  # process 0 alone wrote the run directory
    assert json.loads(two.stdout)["run_dir"] == str(run)  # stdout: the JSON alone
    [other] = run_dirs(workers)  # process 1's private copy, kept for these tests
    return folder, run, other


def test_two_processes_end_with_identical_weights_and_a_complete_run(two_processes) -> None:
    from dlcli import api

    _, run, other = two_processes
    assert json.loads((run / "status.json").read_text())["state"] == "completed"
    env = json.loads((run / "env.json").read_text())
    assert env["backend"] == "jax" and env["processes"] == 2 and len(env["devices"]) == 2
    for mine, theirs in zip(weights(run / "model.weights.h5"),
                            weights(other / "model.weights.h5"), strict=True):  # fmt: skip
        np.testing.assert_array_equal(mine, theirs)  # bit-identical: one model, two processes
    record = api.evaluate(run)  # one process, on TensorFlow
    metrics = json.loads((run / "metrics.json").read_text())
    assert record["metrics"]["loss"] == pytest.approx(metrics["loss"], rel=1e-4)
    assert record["metrics"]["mae"] == pytest.approx(metrics["mae"], rel=1e-4)


@pytest.mark.slow
def test_two_processes_train_as_one_process_with_the_same_global_batch(two_processes) -> None:
    folder, run, _ = two_processes
    one = dlcli(folder, "train", "dp.yaml", "--backend", "jax", "--runs-dir", "single",
                "--json")  # fmt: skip
    assert one.returncode == 0, one.stderr[-3000:]
    single = folder / json.loads(one.stdout)["run_dir"]
    loss_two = json.loads((run / "history.json").read_text())["loss"]
    loss_one = json.loads((single / "history.json").read_text())["loss"]
    np.testing.assert_allclose(loss_two, loss_one, rtol=1e-4)  # same samples per batch


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--processes", "2"], "keras-team/keras#20585"),
        (["--processes", "2", "--backend", "jax", "--set", "train.batch_size=33"],
         "must divide evenly among 2 processes"),
        (["--coordinator", "127.0.0.1:1234"], "needs all three of --coordinator"),
        (["--coordinator", "nohost", "--num-processes", "2", "--process-id", "0"],
         "expected HOST:PORT"),
        (["--coordinator", "127.0.0.1:1", "--num-processes", "2", "--process-id", "2"],
         "--process-id 2 must be between 0 and"),
        (["--processes", "2", "--backend", "jax", "--set", "train.distribute=mirrored"],
         "use one or the other"),
    ],
)
def test_impossible_jobs_are_refused_before_anything_starts(tmp_path, args, message) -> None:
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(app, ["train", str(config), "--runs-dir", str(runs), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert run_dirs(runs) == []


def test_the_tensorflow_refusal_says_why_and_what_to_use(tmp_path: Path) -> None:
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    result = CliRunner().invoke(app, ["train", str(config), "--processes", "2"])
    text = " ".join(result.output.split())
    assert "--backend jax" in text and 'pip install "dlcli[jax]"' in text
    assert "train.distribute: mirrored" in text


def test_the_job_options_are_read_from_the_environment(tmp_path, monkeypatch) -> None:
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    monkeypatch.setenv("DLCLI_COORDINATOR", "127.0.0.1:1234")
    monkeypatch.setenv("DLCLI_NUM_PROCESSES", "2")
    monkeypatch.setenv("DLCLI_PROCESS_ID", "5")
    result = CliRunner().invoke(app, ["train", str(config), "--runs-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--process-id 5 must be between 0 and" in result.output


@pytest.mark.slow
def test_a_killed_worker_ends_the_job_with_a_message_and_a_failed_run(tmp_path: Path) -> None:
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    runs, workers = tmp_path / "runs", tmp_path / "workers"
    env = {**offline_env(tmp_path), "DLCLI_WORKER_DIR": str(workers)}
    job = subprocess.Popen(
        [sys.executable, "-m", "dlcli", "train", str(config), "--backend", "jax",
         "--processes", "2", "--runs-dir", str(runs), "--set", "train.epochs=400",
         "--set", "train.jit_compile=true"],
        env=env, cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    pid = _worker_pid(workers, deadline=time.monotonic() + 300)
    os.kill(pid, signal.SIGKILL)  # process 1 dies mid-training
    killed = time.monotonic()
    _, stderr = job.communicate(timeout=120)
    assert time.monotonic() - killed < 60  # DEAD_PEER_GRACE + STOP_GRACE, with room
    assert job.returncode == 1
    assert "process 1 of 2 was killed by SIGKILL" in stderr
    [run] = run_dirs(runs)
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "failed" and "process 1 of 2" in status["reason"]
    assert not (run / "model.keras").exists()


def _worker_pid(workers: Path, deadline: float) -> int:
    """Process 1's pid, once it has finished an epoch (its run's history.json exists)."""
    while time.monotonic() < deadline:
        for status in workers.glob("*/status.json"):
            if (status.parent / "history.json").exists():
                return int(json.loads(status.read_text())["pid"])
        time.sleep(0.5)
    raise AssertionError("process 1 never finished an epoch")


@pytest.mark.slow
def test_a_distributed_run_resumes_with_another_number_of_processes(tmp_path: Path) -> None:
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    first = dlcli(tmp_path, "train", str(config), "--backend", "jax", "--processes", "2",
                  "--runs-dir", "runs", "--json", "--set", "train.epochs=1")  # fmt: skip
    assert first.returncode == 0, first.stderr[-3000:]
    run = json.loads(first.stdout)["run_dir"]
    more = dlcli(tmp_path, "train", "--resume", run, "--set", "train.epochs=2",
                 "--backend", "tensorflow", "--json")  # fmt: skip
    assert more.returncode == 0, more.stderr[-3000:]  # one process, on TensorFlow
    again = dlcli(tmp_path, "train", "--resume", run, "--set", "train.epochs=3",
                  "--backend", "jax", "--processes", "2", "--json")  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    history = json.loads((tmp_path / run / "history.json").read_text())
    assert len(history["loss"]) == 3 and history["loss"][2] < history["loss"][0]


@pytest.mark.slow
def test_compare_optimizers_with_processes(tmp_path: Path) -> None:
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    done = dlcli(tmp_path, "compare-optimizers", str(config), "--optimizers", "sgd,adam",
                 "--processes", "2", "--set", "train.backend=jax", "--runs-dir", "runs",
                 "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    [compare] = run_dirs(tmp_path / "runs")
    manifest = json.loads((compare / "compare.json").read_text())
    assert [m["state"] for m in manifest["members"]] == ["completed", "completed"]
    for member in manifest["members"]:
        env = json.loads((compare / member["run_dir"] / "env.json").read_text())
        assert env["processes"] == 2


@pytest.mark.slow
def test_ctrl_c_stops_every_process_and_the_run_resumes(tmp_path: Path) -> None:
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    runs = tmp_path / "runs"
    job = subprocess.Popen(
        [sys.executable, "-m", "dlcli", "train", str(config), "--backend", "jax",
         "--processes", "2", "--runs-dir", str(runs), "--set", "train.epochs=4",
         "--set", "train.batch_size=2", "--set", "train.steps_per_execution=1"],
        env=offline_env(tmp_path), cwd=tmp_path, text=True, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not list(runs.glob("*/history.json")) and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(job.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    _, stderr = job.communicate(timeout=120)
    assert job.returncode == 130, stderr[-2000:]
    assert "interrupted: all 2 processes stopped" in stderr
    [run] = run_dirs(runs)
    from dlcli.runs.rundir import RunDir

    assert RunDir.open(run).status()["state"] == "interrupted"
    done = dlcli(tmp_path, "train", "--resume", str(run), "--processes", "2", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    assert RunDir.open(run).status()["state"] == "completed"
    assert len(json.loads((run / "history.json").read_text())["loss"]) == 4


def test_two_processes_train_a_classifier_to_a_complete_run(tmp_path: Path) -> None:
    """A classifier's final evaluation (its confusion matrix is drawn by one process only)."""
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    y = [[0], [1], [1], [0]] * 40
    x = [[0, 0], [0, 1], [1, 0], [1, 1]] * 40
    config = write(tmp_path / "xor.yaml", f"""
name: xor2
data: {{dataset: inline, x: {x}, y: {y}, labels: onehot, validation: none}}
model:
  input_shape: [2]
  layers:
    - Dense: {{units: 8, activation: tanh}}
    - Dense: {{units: 2, activation: softmax}}
compile: {{loss: categorical_crossentropy, optimizer: adam, metrics: [accuracy]}}
train: {{epochs: 2, batch_size: 16}}
""")
    runs = tmp_path / "runs"
    two = dlcli(tmp_path, "train", str(config), "--backend", "jax", "--processes", "2",
                "--runs-dir", str(runs))  # fmt: skip
    assert two.returncode == 0, two.stderr[-3000:]
    [run] = run_dirs(runs)
    assert json.loads((run / "status.json").read_text())["state"] == "completed"
    assert "accuracy" in json.loads((run / "metrics.json").read_text())


def test_mlflow_with_processes_is_refused_not_silently_dropped(tmp_path: Path) -> None:
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    result = dlcli(tmp_path, "train", str(config), "--backend", "jax", "--processes", "2",
                   "--mlflow", "--runs-dir", str(tmp_path / "runs"))  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "MLflow tracking does not go with --processes" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "runs").exists()
