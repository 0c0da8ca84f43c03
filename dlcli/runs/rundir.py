"""The run directory: one per training, never overwritten, every file written atomically.

File names live here as constants, so every other module (and a reader of
docs/run-directory.md) finds them in one place. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dlcli.config.names import run_name_problem
from dlcli.errors import RunDirError, UsageError
from dlcli.runs import crashpoints, lock, reading, records

CONFIG_FILE = "config.yaml"  # the resolved config, written before training starts
STATUS_FILE = "status.json"  # {"state": running|completed|failed|interrupted, ...}
HISTORY_FILE = "history.json"  # per-epoch lists, exactly like keras History.history
METRICS_FILE = "metrics.json"  # final evaluation on the test split (or validation)
EVALUATION_FILE = "evaluation.json"  # written by `dlcli evaluate`
MODEL_FILE = "model.keras"  # the trained model (architecture + weights + optimizer)
WEIGHTS_FILE = "model.weights.h5"  # the trained weights alone
BEST_WEIGHTS_FILE = "best.weights.h5"  # train.callbacks.keep_best: the best epoch's weights
SUMMARY_FILE = "summary.txt"  # model.summary(): parameters per layer
ENV_FILE = "env.json"  # versions, device, seed, command line, sha256 of data files
DATA_FILE = "data.json"  # what the data was: source, shapes, generator truth (linear)
PREPROCESSING_FILE = "preprocessing.json"  # how to preprocess new inputs the same way
PLOTS_DIR = "plots"  # one PNG per metric
CHECKPOINT_DIR = "checkpoint"  # the last finished epoch's weights + optimizer state
CHECKPOINT_STATE_FILE = "state.json"  # in CHECKPOINT_DIR: its epoch, weights file, history
DIAGNOSTICS_FILE = "diagnostics.json"  # train.diagnostics: per-epoch gradient norms per layer
GRADIENT_PLOT = "gradient_norms.png"  # in plots/: the norms per layer, log scale
EXPORT_DIR = "export"  # `dlcli export`: one checked folder per format (saved_model, onnx, tflite)
EXPORT_METADATA_FILE = "metadata.json"  # in each export: inputs, preprocessing, classes, check
TENSORBOARD_DIR = "tensorboard"  # train.tensorboard: Keras TensorBoard logs (train/, validation/)
TRACKING_FILE = "tracking.json"  # where trackers (MLflow) logged the run, or what they could not
LOCK_FILE = "run.lock"  # held (flock) by the process training the run: dlcli.runs.lock

# A comparison directory (dlcli compare / compare-optimizers) holds member run dirs and:
COMPARE_MANIFEST_FILE = "compare.json"  # the command, the members, their state and run dir
COMPARISON_JSON = "comparison.json"  # per group: histories, mean, std, 95% interval, test
COMPARE_LOCK_FILE = "compare.lock"  # held (filelock) while compare.json/comparison.* change
COMPARISON_CSV = "comparison.csv"  # the same statistics, one row per group and metric
REPORT_FILE = "report.html"  # `dlcli report`: one self-contained page (run or comparison)
MLFLOW_DB_FILE = "mlflow.db"  # in the runs directory: the embedded MLflow store (SQLite)
MLFLOW_ARTIFACTS_DIR = "mlflow-artifacts"  # in the runs directory: that store's artifacts

# Run files are ordinary files: created with this mode, which the process umask narrows
# as it does for any program (read at no point, so importing dlcli changes nothing).
_FILE_MODE = 0o666


RUNNING, COMPLETED, FAILED, INTERRUPTED = "running", "completed", "failed", "interrupted"


class RunDir:
    """A run directory on disk; create() makes a new one, open() checks an old one."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, runs_dir: str | Path, name: str) -> RunDir:
        """`runs_dir/<name>-<YYYYmmdd-HHMMSS>[-N]`: mkdir is atomic, so two runs started
        in the same second (even in two processes) never share a directory."""
        problem = run_name_problem(name)
        if problem:
            raise UsageError(problem)
        runs_dir = Path(runs_dir)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            runs_dir.mkdir(parents=True, exist_ok=True)
            for n in range(1, 10_000):
                path = runs_dir / (f"{name}-{stamp}" + (f"-{n}" if n > 1 else ""))
                try:
                    path.mkdir()
                    return cls(path)
                except FileExistsError:
                    continue
        except OSError as error:
            raise RunDirError(
                f"cannot create a run directory in {runs_dir}: {why(error)}"
            ) from None
        raise RunDirError(f"too many runs named {name!r} in {runs_dir} this second")

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """An existing run; anything else is refused with a message saying why."""
        path = Path(path)
        if not path.exists():
            raise RunDirError(f"{path}: no such run directory")
        if not path.is_dir():
            raise RunDirError(f"{path}: not a directory; give a run directory (runs/<name>-...)")
        if not (path / CONFIG_FILE).is_file() or not (path / STATUS_FILE).is_file():
            raise RunDirError(
                f"{path}: not a dlcli run directory (it has no {CONFIG_FILE} and {STATUS_FILE})"
            )
        return cls(path)

    @contextlib.contextmanager
    def locked(self, activity: str = "training") -> Iterator[None]:
        """Hold the run's lock for the block (dlcli.runs.lock): one process per run."""
        with lock.holding(self.path / LOCK_FILE, self.path, activity):
            yield

    def require_completed(self) -> None:
        """Refuse to use a run (export, serve, predict, evaluate) that is not completed,
        or that a process holds now: a resume training it further replaces its model."""
        if lock.is_held(self.path / LOCK_FILE):
            raise RunDirError(f"{self.path} is in use: another dlcli process holds its lock "
                              f"({LOCK_FILE}: training it again, or exporting it); use the run "
                              "once that process has finished")  # fmt: skip
        status = self.status()
        if status["state"] != COMPLETED:
            why = f" ({status['reason']})" if status.get("reason") else ""
            raise RunDirError(f"{self.path}: the run is {status['state']}{why}; only a "
                              "completed run can be used")  # fmt: skip

    def file(self, name: str) -> Path:
        """`name` (e.g. "checkpoint/state.json") inside the run directory: the one place every
        read, write and delete of a run file resolves its path. A name that leaves the
        directory, or a path through a symbolic link (a `checkpoint/` or `plots/` pointing
        elsewhere), is refused rather than followed."""
        return confined(self.path, name)

    def delete(self, name: str) -> None:
        """Remove a run file (an old checkpoint); only ever one inside the run directory."""
        path = self.file(name)
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise RunDirError(f"cannot delete {path}: {why(error)}") from None

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"))

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, default=_jsonable) + "\n")

    def write_bytes(self, name: str, data: bytes) -> Path:
        return write_atomically(self.file(name), data)

    def save_with(self, name: str, save: Callable[[str], Any]) -> Path:
        """For files Keras writes itself (model.save, save_weights), which write in place:
        save under a temporary name beside the target, then rename it into place."""
        target = self.file(name)
        partial = target.with_name(f".partial.{target.name}")  # keeps Keras's suffix
        if crashpoints.ARMED:
            crashpoints.reached(target.name, "before")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            save(str(partial))
            partial.replace(target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise RunDirError(f"cannot write {target}: {why(error)}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if crashpoints.ARMED:
            crashpoints.reached(target.name, "after")
        return target

    def read_json(self, name: str) -> Any:
        """A run file's JSON (dlcli.runs.reading: a regular file, bounded, never blocking)."""
        try:
            return reading.load_json(self.file(name))
        except FileNotFoundError:
            raise RunDirError(f"{self.path}: {name} is missing") from None

    def read_text(self, name: str) -> str:
        try:
            return reading.read_text(self.file(name))
        except FileNotFoundError:
            raise RunDirError(f"{self.path}: {name} is missing") from None

    def read_json_optional(self, name: str) -> dict[str, Any]:
        """A run file's JSON object, or {} when it is missing, unreadable or not an object
        (a run stopped early has no metrics.json): for showing a run, never for its state.
        A name leaving the run directory or passing a symbolic link is still refused."""
        path = self.file(name)
        try:
            data = reading.load_json(path)
        except (OSError, reading.UnreadableRunFile):
            return {}
        return data if isinstance(data, dict) else {}

    def set_status(self, state: str, **details: Any) -> None:
        """Record `state`; a run that is running (again) or completed has no failure reason."""
        status = self.read_json(STATUS_FILE) if (self.path / STATUS_FILE).exists() else {}
        if state in (RUNNING, COMPLETED):
            status.pop("reason", None)
        status.update(details, state=state, pid=os.getpid(), updated=_now())
        status.setdefault("started", status["updated"])
        self.write_json(STATUS_FILE, status)

    def status(self) -> dict[str, Any]:
        """The recorded status; a `running` run whose process is gone reads as interrupted."""
        status = records.status(self.read_json(STATUS_FILE), str(self.file(STATUS_FILE)))
        if status.get("state") == RUNNING and not training_now(self.path, status.get("pid")):
            status["state"] = INTERRUPTED
            status.setdefault("reason", "the training process ended without finishing")
        return status


def training_now(path: Path | str, pid: Any) -> bool:
    """Whether a process trains the run at `path` now: the lock says, as it does for
    `train --resume` (a pid may belong to another process by now); only a run older than
    the lock, which has no lock file, is judged by its recorded pid."""
    held = lock.is_held(Path(path) / LOCK_FILE)
    return held if held is not None else process_alive(pid)


def write_atomically(target: Path, data: bytes) -> Path:
    """Write to a temporary file beside the target, then rename: a killed process
    leaves either the old file or the new one, never half of one."""
    if crashpoints.ARMED:
        crashpoints.reached(target.name, "before")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise RunDirError(f"cannot write {target}: {why(error)}") from None
    if crashpoints.ARMED:
        crashpoints.reached(target.name, "after")
    return target


def confined(root: Path, name: str) -> Path:
    """`root/name`, refused if `name` leaves `root` or passes through a symbolic link."""
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise RunDirError(f"{name!r}: not a path inside the run directory {root}")
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            raise RunDirError(
                f"{current} is a symbolic link (to {os.readlink(current)}); dlcli reads and "
                f"writes only inside the run directory {root}, so it does not follow links: "
                "remove the link (or train a new run)"
            )
    return current


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def process_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def why(error: OSError) -> str:
    """An OSError in words a user can act on (full disk, read-only)."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EFBIG:  # RLIMIT_FSIZE (ulimit -f), or the file system's maximum
        return "a file exceeds the file-size limit"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (is the directory read-only?)"
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{error.filename or 'a path'} is a file, not a directory"
    return error.strerror or str(error)


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays in histories and metrics become plain numbers/lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)
