"""The Python API: what the command line does, callable from a notebook or a script.

    from dlcli import load_config, train, evaluate, predict, compare
    run = train("configs/mnist_mlp.yaml", overrides=["train.epochs=2"])
    run.metrics["accuracy"], run.history["val_loss"], run.model.summary()

Each function behaves as its command does — the same checks, the same run directory,
the same `DlcliError` subclasses (`dlcli.errors`) — and the CLI (`dlcli.cli.app`) is a
thin layer over it that adds only the terminal: option parsing, tables, exit codes.
Nothing here imports TensorFlow until a function that trains or loads a model runs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcli.compare.plan import Axis, Comparison, optimizer_axis, vary_axes
from dlcli.config.loader import LoadedConfig
from dlcli.config.loader import load_config as _load_config
from dlcli.config.names import run_name_problem
from dlcli.errors import RunDirError, UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.training.runner import Output

__all__ = [
    "Comparison",
    "LoadedConfig",
    "Run",
    "compare",
    "compare_optimizers",
    "evaluate",
    "inspect",
    "load_config",
    "predict",
    "train",
]

ConfigLike = str | Path | LoadedConfig


@dataclass
class Run:
    """A run directory and what it holds: `path`, `history`, `metrics` and `model`."""

    path: Path
    history: dict[str, list[float]] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    evaluated_on: str | None = None  # the split the final metrics come from
    device: str | None = None  # set when this process trained it
    seconds: float | None = None  # likewise: training time end to end
    _model: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> Run:
        """An existing run directory (e.g. one trained earlier from the command line)."""
        run = RunDir.open(path)
        history = _read_json(run, files.HISTORY_FILE)
        metrics = _read_json(run, files.METRICS_FILE)
        split = metrics.pop("split", None)
        return cls(run.path, history, metrics, split)

    @property
    def status(self) -> dict[str, Any]:
        """status.json: state (running | completed | failed | interrupted), epochs, reason."""
        return RunDir.open(self.path).status()

    @property
    def model(self):
        """The trained Keras model (model.keras), loaded on first use in safe mode."""
        if self._model is None:
            from dlcli.training.inference import load_trained

            self._model = load_trained(self.path).model
        return self._model


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> LoadedConfig:
    """Read and validate a config, as `dlcli validate` does; `overrides` are `--set` values."""
    return _load_config(path, list(overrides))


def train(
    config: ConfigLike | None = None,
    *,
    overrides: Sequence[str] = (),
    runs_dir: str | Path = "runs",
    name: str | None = None,
    resume: str | Path | None = None,
    progress: str = "lines",
    verbose: bool = False,
    stream: Any = None,
    backend: str | None = None,
    processes: int = 1,
    job: tuple[str | None, int | None, int | None] = (None, None, None),
) -> Run:
    """Train as `dlcli train` does, into a new run directory (or `resume` an unfinished one).

    `config` is a file or a `LoadedConfig`; `progress` is "lines", "bar" or "none";
    `backend` sets train.backend. `processes` > 1 trains data-parallel in that many local
    processes; `job` = (coordinator "HOST:PORT", number of processes, this process's id)
    makes this process one of a job that may span hosts (docs/scaling-out.md).
    """
    output = _output(progress, verbose, stream)
    overrides = [*overrides, f"train.backend={backend}"] if backend else list(overrides)
    if processes != 1 or any(part is not None for part in job):
        return _train_distributed(config, overrides, runs_dir, name, resume, output,
                                  processes, job)  # fmt: skip
    if resume is not None:
        if name is not None:
            raise UsageError("--name cannot go with --resume: a run resumes in its own folder")
        from dlcli.training.resume import resume_training

        path = None if config is None else Path(str(config))
        result = resume_training(Path(resume), path, list(overrides), output)
    elif config is None:
        raise UsageError("give a config file to train, or --resume RUN_DIR")
    else:
        if name is not None and (problem := run_name_problem(name)):
            raise UsageError(f"--name: {problem}")
        from dlcli.training.runner import train as run_training

        loaded = config if isinstance(config, LoadedConfig) else load_config(config, overrides)
        result = run_training(loaded, runs_dir, name, output)
    return Run(
        result.run_dir, result.history, result.metrics, result.evaluated_on,
        result.device, result.seconds,
    )  # fmt: skip


def _train_distributed(config, overrides, runs_dir, name, resume, output, processes, job) -> Run:
    from dlcli.training import distributed

    joined = distributed.job_from(*job)
    if isinstance(config, LoadedConfig) or (joined is not None and processes != 1):
        raise UsageError("--processes takes a config file, and does not go with --coordinator "
                         "(it starts the job's processes itself)")  # fmt: skip
    path = None if config is None else Path(str(config))
    if joined is not None:
        if resume is not None:
            result = distributed.resume_worker(Path(resume), path, overrides, joined, output)
        else:
            loaded = load_config(path, overrides) if path else None
            if loaded is None:
                raise UsageError("give a config file to train, or --resume RUN_DIR")
            result = distributed.train_worker(loaded, joined, runs_dir, name, output)
        return Run(result.run_dir, result.history, result.metrics, result.evaluated_on,
                   result.device, result.seconds)  # fmt: skip
    loaded = load_config(path or Path(resume) / files.CONFIG_FILE, overrides)
    distributed.check_job_config(loaded, processes)  # every mistake before any process starts
    arguments = [str(path)] if path else []
    arguments += [f"--set={item}" for item in overrides] + [f"--runs-dir={runs_dir}"]
    arguments += [f"--name={name}"] if name else []
    arguments += [f"--resume={resume}"] if resume else []
    arguments += ["--quiet"] if output.progress == "none" else []
    arguments += ["--verbose"] if output.verbose else []
    started = time.perf_counter()
    resume_path = Path(resume) if resume else None
    run = Run.open(distributed.launch(["dlcli", "train", *arguments], processes,
                                      Path(runs_dir), resume_path, output.stream))  # fmt: skip
    run.seconds = time.perf_counter() - started
    run.device = _read_json(RunDir.open(run.path), files.ENV_FILE).get("device")
    return run


def evaluate(run: str | Path | Run, data: str | None = None, verbose: bool = False) -> dict:
    """Evaluate a trained run again (its test split, or `data`); records evaluation.json."""
    from dlcli.training.inference import evaluate as run_evaluation

    return run_evaluation(_path(run), data, verbose)


def predict(
    run: str | Path | Run, inputs: Sequence[str | Path], top_k: int = 1, verbose: bool = False
) -> list[dict[str, Any]]:
    """One dict per input row: its class and probability (classifiers) or its values."""
    from dlcli.training.inference import predict as run_prediction

    if top_k < 1:
        raise UsageError("top_k must be at least 1")
    return run_prediction(_path(run), [str(i) for i in inputs], top_k, verbose)


def inspect(run: str | Path | Run, verbose: bool = False) -> list[dict[str, Any]]:
    """Each layer's weights: shapes and statistics, as `dlcli inspect` lists them."""
    from dlcli.training.inference import inspect as run_inspection

    return run_inspection(_path(run), verbose)


def compare(
    config: str | Path | None = None,
    *,
    vary: Sequence[str] = (),
    seeds: int = 1,
    overrides: Sequence[str] = (),
    target: str | None = None,
    runs_dir: str | Path = "runs",
    resume: str | Path | None = None,
    progress: str = "lines",
    verbose: bool = False,
    stream: Any = None,
    processes: int = 1,
) -> Comparison:
    """Train `config` once per combination of `vary` values ("KEY=V1,V2") and seed.
    Members of another backend than this process's, or with `processes` > 1 (each member
    data-parallel), train in child processes."""
    return _compare(
        config, lambda: vary_axes(list(vary)), seeds, overrides, target, runs_dir, resume,
        _output(progress, verbose, stream), processes,
    )  # fmt: skip


def compare_optimizers(
    config: str | Path | None = None,
    *,
    optimizers: Sequence[str] = (),
    learning_rates: Sequence[str] = (),
    seeds: int = 1,
    overrides: Sequence[str] = (),
    target: str | None = None,
    runs_dir: str | Path = "runs",
    resume: str | Path | None = None,
    progress: str = "lines",
    verbose: bool = False,
    stream: Any = None,
    processes: int = 1,
) -> Comparison:
    """Train `config` once per optimizer preset (default: all six) and seed, as
    `dlcli compare-optimizers` does; `learning_rates` holds "NAME=VALUE" items."""
    return _compare(
        config, lambda: [optimizer_axis(list(optimizers), list(learning_rates))], seeds,
        overrides, target, runs_dir, resume, _output(progress, verbose, stream), processes,
    )  # fmt: skip


def _compare(
    config, make_axes: Callable[[], list[Axis]], seeds, overrides, target, runs_dir, resume,
    output, processes: int = 1,
) -> Comparison:  # fmt: skip
    from dlcli.compare.members import run_comparison

    path = None if config is None else Path(config)
    resume_path = None if resume is None else Path(resume)
    return run_comparison(
        path, resume_path, make_axes, list(overrides), seeds, target, runs_dir, output,
        processes,
    )  # fmt: skip


def _output(progress: str, verbose: bool, stream: Any) -> Output:
    if progress not in ("lines", "bar", "none"):
        raise UsageError(f"progress must be 'lines', 'bar' or 'none', not {progress!r}")
    return Output(progress, stream if stream is not None else sys.stdout, verbose)


def _path(run: str | Path | Run) -> Path:
    return run.path if isinstance(run, Run) else Path(run)


def _read_json(run: RunDir, name: str) -> dict:
    if not run.file(name).is_file():
        return {}
    try:
        return run.read_json(name)
    except RunDirError:
        return {}
