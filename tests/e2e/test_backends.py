"""The key end-to-end path on both backends, runs that cross backends, and backend
parity in a comparison. TensorFlow runs in this process; JAX in child processes, since
Keras fixes its backend at its first import (dlcli.runtime.bootstrap)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcli import api
from dlcli.cli.app import app
from tests.helpers.backend_scenario import scenario, write_problem
from tests.helpers.processes import offline_env
from tests.helpers.tensorboard import check_tensorboard_logs

pytest.importorskip("jax", reason='the jax backend is not installed (pip install "dlcli[jax]")')


def in_child(module: str, *args: str, tmp_path: Path, backend: str = "jax") -> str:
    """Run `python -m MODULE ARGS` on `backend`; its stdout, or the failure shown."""
    env = {**offline_env(tmp_path), "KERAS_BACKEND": backend}
    done = subprocess.run([sys.executable, "-m", module, *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The scenario's results on each backend (run once for the tests below)."""
    folders = {b: tmp_path_factory.mktemp(b) for b in ("tensorflow", "jax")}
    jax_out = in_child("tests.helpers.backend_scenario", str(folders["jax"]), "jax",
                       tmp_path=folders["jax"])  # fmt: skip
    return {
        "tensorflow": scenario(folders["tensorflow"], "tensorflow"),
        "jax": json.loads(jax_out.strip().splitlines()[-1]),
    }


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_train_evaluate_predict_resume_and_diagnostics(outcomes, backend: str) -> None:
    got = outcomes[backend]
    assert got["backend"] == backend and got["config_backend"] == 1  # env.json, config.yaml
    assert got["metrics"]["accuracy"] >= 0.85
    for key, value in got["metrics"].items():  # evaluate reproduces the run's own metrics
        assert got["evaluated"][key] == pytest.approx(value, abs=1e-5)
    assert [len(row["top"]) for row in got["predictions"]] == [2, 2, 2]
    assert got["resumed_state"] == "completed" and got["resumed_epochs"] == 3
    assert got["norm_epochs"] == [0, 1, 2, 3]  # before training, each epoch, the resumed one
    assert all(all(v > 0 for v in values) for values in got["norms"].values())


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_no_gpu_here_so_gpu_and_mixed_precision_are_refused(outcomes, backend: str) -> None:
    """No GPU on this machine: the GPU path can only be checked for its refusals."""
    refusals = outcomes[backend]["refusals"]
    assert f"the {backend} backend sees no GPU" in refusals["train.device=gpu"]
    assert "only speeds up GPUs" in refusals["train.precision=mixed_float16"]
    assert not any("LEFT A RUN DIRECTORY" in text for text in refusals.values())


def test_the_backends_agree_on_the_same_problem(outcomes) -> None:
    """Same config, seed and data: the test metrics agree within 0.05 accuracy and 0.1
    loss (the initial weights differ: each backend draws its own random numbers)."""
    tf_metrics, jax_metrics = outcomes["tensorflow"]["metrics"], outcomes["jax"]["metrics"]
    assert jax_metrics["accuracy"] == pytest.approx(tf_metrics["accuracy"], abs=0.05)
    assert jax_metrics["loss"] == pytest.approx(tf_metrics["loss"], abs=0.1)


def test_a_jax_run_evaluates_and_predicts_on_tensorflow(outcomes) -> None:
    run = Path(outcomes["jax"]["run"])  # trained on JAX (then resumed to 3 epochs there)
    record = api.evaluate(run)  # this process runs TensorFlow
    metrics = json.loads((run / "metrics.json").read_text())
    assert record["metrics"]["accuracy"] == pytest.approx(metrics["accuracy"], abs=1e-5)
    assert record["metrics"]["loss"] == pytest.approx(metrics["loss"], abs=1e-4)


@pytest.mark.slow  # one more JAX process; the other direction runs by default
def test_a_tensorflow_run_evaluates_on_jax(outcomes, tmp_path: Path) -> None:
    run = outcomes["tensorflow"]["run"]
    out = in_child("dlcli", "evaluate", run, "--json", tmp_path=tmp_path)
    metrics = json.loads((Path(run) / "metrics.json").read_text())
    assert json.loads(out)["metrics"]["loss"] == pytest.approx(metrics["loss"], abs=1e-4)


@pytest.mark.slow  # two child processes; backend parity itself is checked by default above
def test_compare_varies_the_backend_in_child_processes(tmp_path: Path) -> None:
    config = write_problem(tmp_path)
    result = CliRunner().invoke(app, [
        "compare", str(config), "--vary", "train.backend=tensorflow,jax", "--seeds", "1",
        "--set", "train.diagnostics=[]", "--runs-dir", str(tmp_path / "runs"), "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    compare_dir = next((tmp_path / "runs").glob("blobs-compare-*"))
    manifest = json.loads((compare_dir / "compare.json").read_text())
    assert [m["state"] for m in manifest["members"]] == ["completed", "completed"]
    backends = [json.loads((compare_dir / m["run_dir"] / "env.json").read_text())["backend"]
                for m in manifest["members"]]  # fmt: skip
    assert backends == ["tensorflow", "jax"]
    summary = json.loads(result.output[result.output.index("{"):])
    assert sorted(summary["groups"]) == ["backend=jax", "backend=tensorflow"]  # side by side


def test_asking_for_a_backend_that_is_not_installed_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real(name, *a))  # fmt: skip
    config = write_problem(tmp_path)
    result = CliRunner().invoke(app, ["train", str(config), "--backend", "jax",
                                      "--runs-dir", str(tmp_path / "runs")])  # fmt: skip
    assert result.exit_code == 2
    assert 'pip install "dlcli[jax]"' in result.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_second_backend_in_one_process_is_refused_by_name(tmp_path: Path) -> None:
    import keras  # noqa: F401  (this process runs TensorFlow)

    config = write_problem(tmp_path)
    with pytest.raises(Exception, match="already runs Keras on the tensorflow backend"):
        api.train(config, backend="jax", runs_dir=tmp_path / "runs", progress="none")




def test_jax_writes_tensorboard_logs_without_importing_tensorflow(outcomes) -> None:
    """On JAX, dlcli writes the TensorBoard scalars itself (Keras's callback would import
    TensorFlow for them); the resumed epoch goes on from step 2, in a second file."""
    got = outcomes["jax"]
    assert got["tensorflow_imported"] is False
    check_tensorboard_logs(Path(got["run"]), got["history"])
