"""MLflow tracking against a real store: the embedded SQLite one, a real `mlflow server`
started on 127.0.0.1 (slow), and one that is not there (the run must not suffer)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dlcli import api
from dlcli.errors import UsageError
from dlcli.runs import rundir as files
from tests.helpers.configs import tiny_config
from tests.helpers.servers import free_port

pytest.importorskip("mlflow", reason="mlflow is not installed: pip install 'dlcli[mlflow]'")

MLFLOW_SECTION = "tracking:\n  mlflow: {experiment: xor-study}\n"


@pytest.fixture(autouse=True)
def mlflow_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No tracking server from this machine's environment; settings restored after."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")


def the_only_run(uri: str, experiment: str):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no experiment {experiment!r} in {uri}"
    runs = client.search_runs([found.experiment_id])
    assert len(runs) == 1
    return client, runs[0]


def check_logged_run(client, logged, run) -> None:
    """Params, per-epoch metrics with their steps, final metrics, tags and artifacts."""
    params = logged.data.params
    assert params["train.epochs"] == "3"
    assert params["model.layers.0.Dense.units"] == "4"
    assert params["compile.optimizer.learning_rate"] == "0.05"
    loss = client.get_metric_history(logged.info.run_id, "loss")
    assert [m.step for m in loss] == [1, 2, 3]
    assert [m.value for m in loss] == pytest.approx(run.history["loss"], rel=1e-6)
    assert len(client.get_metric_history(logged.info.run_id, "val_accuracy")) == 3
    assert logged.data.metrics["test_accuracy"] == pytest.approx(run.metrics["accuracy"])
    tags = logged.data.tags
    assert (tags["dataset"], tags["backend"], tags["seed"]) == ("inline", "tensorflow", "3")
    assert tags["device"] == run.device
    assert tags["mlflow.runName"] == run.path.name
    artifacts = {a.path for a in client.list_artifacts(logged.info.run_id)}
    assert {"config.yaml", "plots", "model.keras", "summary.txt", "env.json"} <= artifacts
    assert logged.info.status == "FINISHED"


def test_a_run_is_in_the_embedded_store(tmp_path: Path, capsys) -> None:
    runs_dir = tmp_path / "runs"
    config = tiny_config(tmp_path, extra=MLFLOW_SECTION)
    run = api.train(config, runs_dir=runs_dir, progress="none")
    uri = f"sqlite:///{(runs_dir / files.MLFLOW_DB_FILE).resolve()}"
    client, logged = the_only_run(uri, "xor-study")
    check_logged_run(client, logged, run)
    # Artifacts live beside the database in the runs directory, not in ./mlruns.
    assert (runs_dir / files.MLFLOW_ARTIFACTS_DIR).is_dir() and not Path("mlruns").exists()
    record = json.loads((run.path / files.TRACKING_FILE).read_text())["mlflow"]
    assert (record["logged"], record["run_id"]) == (True, logged.info.run_id)
    assert f"MLflow: logged the run {logged.info.run_id}" in capsys.readouterr().err


def test_an_unreachable_server_loses_nothing_but_the_logging(
    tmp_path: Path, capsys, loopback_only
) -> None:
    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = tiny_config(tmp_path)
    run = api.train(config, runs_dir=tmp_path / "runs", progress="none", mlflow=True,
                    overrides=[f"tracking.mlflow.uri={uri}", "train.epochs=2"])  # fmt: skip
    assert run.status["state"] == "completed"
    assert (run.path / files.METRICS_FILE).is_file() and (run.path / files.MODEL_FILE).is_file()
    lines = [line for line in capsys.readouterr().err.splitlines() if "MLflow" in line]
    assert len(lines) == 1, lines  # one message, not one per call
    assert lines[0].startswith(f"warning: MLflow at {uri} failed (")
    assert "not logged: the run and its parameters, metrics of epochs 1-2, final metrics, " \
        "artifacts (config.yaml" in lines[0]  # fmt: skip
    assert f"The run directory {run.path} is complete." in lines[0]
    record = json.loads((run.path / files.TRACKING_FILE).read_text())["mlflow"]
    assert record["logged"] is False and "epoch 2 metrics" in record["not_logged"]


def test_without_mlflow_installed_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # `import mlflow` now fails
    with pytest.raises(UsageError, match=r"pip install 'dlcli\[mlflow\]'"):
        api.train(tiny_config(tmp_path), runs_dir=tmp_path / "runs", mlflow=True)
    assert not (tmp_path / "runs").exists()  # refused before anything was created


@pytest.mark.slow
def test_a_comparison_is_a_parent_run_with_a_child_per_member(tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    runs_dir = tmp_path / "runs"
    comparison = api.compare(
        tiny_config(tmp_path, epochs=2, extra=MLFLOW_SECTION), runs_dir=runs_dir,
        vary=["compile.optimizer.learning_rate=0.05,0.1"], progress="none",
    )  # fmt: skip
    client = MlflowClient(f"sqlite:///{(runs_dir / files.MLFLOW_DB_FILE).resolve()}")
    experiment = client.get_experiment_by_name("xor-study").experiment_id
    runs = client.search_runs([experiment])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert [p.info.run_name for p in parents] == [comparison.path.name]
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parents[0].info.run_id}
    assert sorted(c.data.tags["dlcli.group"] for c in children) == [
        "learning_rate=0.05", "learning_rate=0.1"]  # fmt: skip
    assert all(len(client.get_metric_history(c.info.run_id, "loss")) == 2 for c in children)
    artifacts = {a.path for a in client.list_artifacts(parents[0].info.run_id)}
    assert {"comparison.json", "comparison.csv", "plots"} <= artifacts
    assert any(key.endswith(".final_val_accuracy") for key in parents[0].data.metrics)


@pytest.mark.slow
def test_a_real_mlflow_server_on_loopback(tmp_path: Path, loopback_only) -> None:
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
         "--artifacts-destination", str(tmp_path / "server-artifacts")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_until_up(uri, server)
        run = api.train(tiny_config(tmp_path), runs_dir=tmp_path / "runs", progress="none",
                        overrides=[f"tracking.mlflow.uri={uri}"], mlflow=True)  # fmt: skip
        client, logged = the_only_run(uri, "tiny")
        check_logged_run(client, logged, run)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(uri: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mlflow server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"mlflow server did not answer on {uri} within {seconds} s")
