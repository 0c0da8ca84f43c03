"""MLflow: a run's config, per-epoch metrics, final metrics, tags and files, logged to a
tracking store (docs/tracking.md).

The store is `tracking.mlflow.uri`, else $MLFLOW_TRACKING_URI, else an embedded one in
the runs directory (RUNS_DIR/mlflow.db, SQLite, with artifacts in RUNS_DIR/mlflow-artifacts)
that needs no server. A comparison is a parent run with one child per member. MLflow
failing (a server down or refusing) never fails training: the run directory completes,
and one message at the end says what was not logged (also kept in RUN/tracking.json).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from dlcli.config.loader import LoadedConfig
from dlcli.config.schema import MlflowConfig
from dlcli.errors import first_line
from dlcli.runs import rundir as files
from dlcli.runs.diff import flatten
from dlcli.runs.rundir import RunDir
from dlcli.tracking.git import git_commit

# What a run or comparison uploads from its directory, when present.
RUN_ARTIFACTS = (
    files.CONFIG_FILE, files.SUMMARY_FILE, files.ENV_FILE, files.DATA_FILE,
    files.METRICS_FILE, files.HISTORY_FILE, files.PLOTS_DIR,
)  # fmt: skip
COMPARISON_ARTIFACTS = (
    files.CONFIG_FILE, files.COMPARE_MANIFEST_FILE, files.COMPARISON_JSON,
    files.COMPARISON_CSV, files.PLOTS_DIR,
)  # fmt: skip
MAX_PARAM_LENGTH = 6000  # MLflow 3 refuses longer parameter values
PARAMS_PER_BATCH = 100  # MLflow's limit per log_batch call
STATUS = {files.COMPLETED: "FINISHED", files.FAILED: "FAILED", files.INTERRUPTED: "KILLED"}


class Store:
    """The connection, shared by a comparison's parent run and its members: once the
    store has failed, nobody waits for it again."""

    def __init__(self, settings: MlflowConfig, runs_dir: Path, experiment: str):
        self.embedded = not (settings.uri or os.environ.get("MLFLOW_TRACKING_URI"))
        db = (runs_dir / files.MLFLOW_DB_FILE).resolve()
        self.uri = settings.uri or os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{db}"
        self.runs_dir = runs_dir
        self.experiment = experiment
        self.problem: str | None = None  # the first failure, in words
        self._client: Any = None
        self.experiment_id: str | None = None
        # Fail fast on a server that is down: MLflow's default retries take minutes.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(int(settings.timeout)))

    def client(self):
        if self._client is None:
            from mlflow.tracking import MlflowClient

            for logger in ("mlflow", "alembic"):  # database set-up chatter, not the user's
                logging.getLogger(logger).setLevel(logging.WARNING)

            if self.embedded:
                self.runs_dir.mkdir(parents=True, exist_ok=True)
            self._client = MlflowClient(tracking_uri=self.uri)
            found = self._client.get_experiment_by_name(self.experiment)
            if found is not None:
                self.experiment_id = found.experiment_id
            else:
                where = (self.runs_dir / files.MLFLOW_ARTIFACTS_DIR).resolve().as_uri()
                self.experiment_id = self._client.create_experiment(
                    self.experiment, artifact_location=where if self.embedded else None
                )
        return self._client


class MlflowTracker:
    """One MLflow run following one dlcli run (or a comparison, whose members get
    child runs from `member`)."""

    def __init__(
        self,
        settings: MlflowConfig,
        runs_dir: Path,
        name: str,
        store: Store | None = None,
        parent: MlflowTracker | None = None,
        member_tags: dict[str, str] | None = None,
    ):
        self.settings = settings
        self.store = store or Store(settings, runs_dir, settings.experiment or name)
        self.parent = parent
        self.member_tags = member_tags or {}
        self.run_id: str | None = None
        self.not_logged: list[str] = []
        self.members: list[MlflowTracker] = []
        self.last_step = 0

    # --- the observer ------------------------------------------------------------

    def on_start(self, run_dir: Path, loaded: LoadedConfig, env: dict[str, Any]) -> None:
        self._try("the run and its parameters", self._start, run_dir, loaded, env)

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        self.last_step = epoch
        self._try(f"epoch {epoch} metrics", self._log_metrics, logs, epoch)

    def on_end(self, status: str, metrics: dict[str, float], run_dir: Path) -> None:
        self._try("final metrics", self._log_metrics, metrics, self.last_step)
        names = COMPARISON_ARTIFACTS if self.members else RUN_ARTIFACTS
        if self.settings.log_model and not self.members:
            names = (*names, files.MODEL_FILE)
        for name in names:
            if (run_dir / name).exists():
                self._try(f"artifact {name}", self._log_artifact, run_dir / name)
        self._try("the run's end", self._end, STATUS.get(status, "FAILED"))
        self._record(run_dir)
        if self.parent is None:
            print(self.message(run_dir), file=sys.stderr, flush=True)

    def member(self, name: str, group: str, seed: int) -> MlflowTracker:
        tags = {"dlcli.group": group, "dlcli.member": name}
        child = MlflowTracker(self.settings, self.store.runs_dir, name, self.store, self, tags)
        self.members.append(child)
        return child

    # --- MLflow calls --------------------------------------------------------------

    def _start(self, run_dir: Path, loaded: LoadedConfig, env: dict[str, Any]) -> None:
        client = self.store.client()
        tags = {**run_tags(run_dir, loaded, env), **self.member_tags}
        if self.parent is not None and self.parent.run_id is not None:
            tags["mlflow.parentRunId"] = self.parent.run_id
        run = client.create_run(self.store.experiment_id, run_name=run_dir.name, tags=tags)
        self.run_id = run.info.run_id
        from mlflow.entities import Param

        params = [
            Param(key, str(value)[:MAX_PARAM_LENGTH])
            for key, value in flatten(loaded.config.model_dump(mode="json")).items()
        ]
        for start in range(0, len(params), PARAMS_PER_BATCH):
            client.log_batch(self.run_id, params=params[start : start + PARAMS_PER_BATCH])

    def _log_metrics(self, values: dict[str, float], step: int) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = [Metric(key, float(value), now, step) for key, value in values.items()]
        if metrics:
            self.store.client().log_batch(self._run(), metrics=metrics)

    def _log_artifact(self, path: Path) -> None:
        if path.is_dir():
            self.store.client().log_artifacts(self._run(), str(path), artifact_path=path.name)
        else:
            self.store.client().log_artifact(self._run(), str(path))

    def _end(self, status: str) -> None:
        self.store.client().set_terminated(self._run(), status=status)

    def _run(self) -> str:
        if self.run_id is None:
            raise RuntimeError("the MLflow run was never created")
        return self.run_id

    def _try(self, what: str, call, *args: Any) -> None:
        """Call MLflow; after its first failure, only note what is not logged."""
        if self.store.problem is None and (self.run_id is not None or call == self._start):
            try:
                call(*args)
                return
            except Exception as error:  # noqa: BLE001 - any MLflow failure: keep training
                self.store.problem = f"{type(error).__name__}: {first_line(error)}"[:300]
        self.not_logged.append(what)

    # --- what happened -------------------------------------------------------------

    def _record(self, run_dir: Path) -> None:
        record = {
            "uri": self.store.uri,
            "experiment": self.store.experiment,
            "run_id": self.run_id,
            "logged": not self.not_logged,
            "not_logged": self.not_logged,
            "problem": self.store.problem if self.not_logged else None,
        }
        with contextlib.suppress(Exception):  # the note is a courtesy; the run is complete
            RunDir(run_dir).write_json(files.TRACKING_FILE, {"mlflow": record})

    def message(self, run_dir: Path) -> str:
        """One line: where the run was logged, or what was not logged and why."""
        missing = self.not_logged + [
            f"member {m.member_tags['dlcli.member']}: {summarize(m.not_logged)}"
            for m in self.members
            if m.not_logged
        ]
        if not missing:
            kind = f"comparison ({len(self.members)} member runs)" if self.members else "run"
            hint = f"; browse it: mlflow ui --backend-store-uri {self.store.uri}"
            return (f"MLflow: logged the {kind} {self.run_id} in experiment "
                    f"{self.store.experiment!r} at {self.store.uri}"
                    f"{hint if self.store.embedded else ''}")  # fmt: skip
        return (
            f"warning: MLflow at {self.store.uri} failed ({self.store.problem}); not logged: "
            f"{summarize(self.not_logged) if self.not_logged else 'nothing of the parent run'}"
            + "".join(f"; {item}" for item in missing[len(self.not_logged):])
            + f". The run directory {run_dir} is complete."
        )


def summarize(items: list[str]) -> str:
    """`epoch 1 metrics, epoch 2 metrics, artifact a, artifact b` ->
    `metrics of epochs 1-2, artifacts (a, b)`, in the order they happened."""
    epochs = [int(item.split()[1]) for item in items if item.startswith("epoch ")]
    artifacts = [item.removeprefix("artifact ") for item in items if item.startswith("artifact ")]
    parts: list[str] = []
    for item in items:
        if item.startswith("epoch "):
            span = f"{epochs[0]}" if len(epochs) == 1 else f"{epochs[0]}-{epochs[-1]}"
            item = f"metrics of epoch{'s' if len(epochs) > 1 else ''} {span}"
        elif item.startswith("artifact "):
            item = f"artifacts ({', '.join(artifacts)})"
        if item not in parts:
            parts.append(item)
    return ", ".join(parts)


def run_tags(run_dir: Path, loaded: LoadedConfig, env: dict[str, Any]) -> dict[str, str]:
    """dataset, backend, device, seed, git commit (where there is one), and the run dir."""
    keras = sys.modules.get("keras")
    backend = keras.backend.backend() if keras else os.environ.get("KERAS_BACKEND", "tensorflow")
    tags = {
        "dataset": loaded.config.data.dataset,
        "backend": backend,
        "seed": str(loaded.config.seed),
        "dlcli.run_dir": str(run_dir.resolve()),
        "dlcli.config": loaded.file,
    }
    if env.get("device"):
        tags["device"] = str(env["device"])
    if loaded.config.description:
        tags["mlflow.note.content"] = loaded.config.description
    commit = git_commit(loaded.base_dir)
    if commit:
        tags["mlflow.source.git.commit"] = commit
    return tags
