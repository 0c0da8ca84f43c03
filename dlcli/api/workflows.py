"""The Python API for new work: load and validate a config, train, compare.

Each function behaves as its command does (see the package docstring, `dlcli.api`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypedDict

from typing_extensions import Unpack

from dlcli.comparison.plan import Axis, Comparison, optimizer_axis, vary_axes
from dlcli.comparison.request import ComparisonRequest
from dlcli.config.loader import LoadedConfig
from dlcli.config.loader import load_config as _load_config
from dlcli.config.names import run_name_problem
from dlcli.errors import UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import SOLO
from dlcli.trained.run_handle import Run
from dlcli.training.request import Output, TrainRequest
from dlcli.training.validation import Validation

ConfigLike = str | Path | LoadedConfig


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> LoadedConfig:
    """Read and validate a config, as `dlcli validate` does; `overrides` are `--set` values."""
    return _load_config(path, list(overrides))


def validate(config: ConfigLike, overrides: Sequence[str] = (), data: bool = False) -> Validation:
    """Check a config as `dlcli validate` does: the schema, the model's size against this
    machine's memory and, with `data`, the data against the model (what `train` checks
    before training). Raises the error `train` would; trains nothing."""
    from dlcli.training.validation import validate_loaded

    loaded = config if isinstance(config, LoadedConfig) else load_config(config, overrides)
    return validate_loaded(loaded, data)


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
    mlflow: bool = False,
    backend: str | None = None,
    processes: int = 1,
    job: tuple[str | None, int | None, int | None] = (None, None, None),
) -> Run:
    """Train as `dlcli train` does, into a new run directory (or `resume` an unfinished one).
    `config` is a file or a `LoadedConfig`; `progress` is "lines", "bar" or "none";
    `mlflow=True` logs to MLflow as `tracking.mlflow` in the config would (docs/tracking.md).
    `backend` sets train.backend. `processes` > 1 trains data-parallel in that many local
    processes; `job` = (coordinator "HOST:PORT", number of processes, this process's id)
    makes this process one of a job that may span hosts (docs/scaling-out.md).
    """
    from dlcli.training.distributed import job_from

    overrides = [*overrides, f"train.backend={backend}"] if backend else list(overrides)
    request = TrainRequest(
        runs_dir=Path(runs_dir), name=name, resume=None if resume is None else Path(resume),
        output=_output(progress, verbose, stream), job=job_from(*job) or SOLO,
        processes=processes,
    )  # fmt: skip
    if request.distributed:
        if mlflow:
            raise UsageError(MLFLOW_WITH_PROCESSES)
        return train_request(config, overrides, request)
    if request.resume is not None:
        if name is not None:
            raise UsageError("--name cannot go with --resume: a run resumes in its own folder")
        from dlcli.trained.inference import load_run_config

        saved = load_run_config(RunDir.open(request.resume))  # read once for the command
        trackers = trackers_from(saved, [], request.resume.parent, mlflow)
        return resume_request(config, overrides, request.but(trackers=tuple(trackers)), saved)
    elif config is None:
        raise UsageError("give a config file to train, or --resume RUN_DIR")
    else:
        if name is not None and (problem := run_name_problem(name)):
            raise UsageError(f"--name: {problem}")
        config = config if isinstance(config, LoadedConfig) else load_config(config, overrides)
        trackers = trackers_from(config, [], runs_dir, mlflow)
    return train_request(config, overrides, request.but(trackers=tuple(trackers)))


MLFLOW_WITH_PROCESSES = (
    "MLflow tracking does not go with --processes/--coordinator yet (the workers "
    "would not log); train without --mlflow or tracking.mlflow, or in one process"
)


def train_request(config: ConfigLike | None, overrides: list[str], request: TrainRequest) -> Run:
    """Train from a request already built: `train` above, and each worker of a job."""
    if request.distributed:
        if config is not None and trackers_from(config, overrides, request.runs_dir, False):
            raise UsageError(MLFLOW_WITH_PROCESSES)
        from dlcli.training.launch import train_distributed

        return train_distributed(config, overrides, request)
    if request.resume is not None:
        return resume_request(config, overrides, request)
    if config is None:
        raise UsageError("give a config file to train, or --resume RUN_DIR")
    from dlcli.training.runner import train as run_training

    loaded = config if isinstance(config, LoadedConfig) else load_config(config, overrides)
    return run_training(loaded, request)


class ComparisonOptions(TypedDict, total=False):
    """The keywords `compare` and `compare_optimizers` both take, declared once (the CLI's
    two commands share theirs the same way: `dlcli.cli.compare_commands.SHARED_OPTIONS`)."""

    seeds: int  # train every setting with seeds 1..N (3 or more give a spread to judge)
    overrides: Sequence[str]  # `--set` values, KEY=VALUE
    target: str | None  # "METRIC=VALUE": report the epochs each member took to reach it
    runs_dir: str | Path  # where the comparison directory is created
    resume: str | Path | None  # continue this comparison directory instead
    progress: str  # "lines", "bar" or "none"
    verbose: bool
    stream: Any  # where progress goes; None: stdout
    mlflow: bool  # log to MLflow: a parent run, a child per member
    processes: int  # > 1: each member trains data-parallel in that many processes


COMPARISON_DEFAULTS: ComparisonOptions = {
    "seeds": 1, "overrides": (), "target": None, "runs_dir": "runs", "resume": None,
    "progress": "lines", "verbose": False, "stream": None, "mlflow": False, "processes": 1,
}  # fmt: skip


def compare(
    config: str | Path | None = None,
    *,
    vary: Sequence[str] = (),
    **options: Unpack[ComparisonOptions],
) -> Comparison:
    """Train `config` once per combination of `vary` values ("KEY=V1,V2") and seed; the
    other keywords are `ComparisonOptions`. With MLflow (`mlflow=True` or
    `tracking.mlflow`): a parent run, a child per member. Members of another backend than
    this process's, or with `processes` > 1 (each member data-parallel), train in child
    processes."""
    return _compare(config, lambda: vary_axes(list(vary)), options)


def compare_optimizers(
    config: str | Path | None = None,
    *,
    optimizers: Sequence[str] = (),
    learning_rates: Sequence[str] = (),
    **options: Unpack[ComparisonOptions],
) -> Comparison:
    """Train `config` once per optimizer preset (default: all six) and seed, as
    `dlcli compare-optimizers` does; `learning_rates` holds "NAME=VALUE" items; the other
    keywords are `ComparisonOptions`."""
    axes = lambda: [optimizer_axis(list(optimizers), list(learning_rates))]  # noqa: E731
    return _compare(config, axes, options)


def _compare(config, make_axes: Callable[[], list[Axis]], options: dict) -> Comparison:
    from dlcli.comparison.members import run_comparison

    unknown = sorted(set(options) - set(COMPARISON_DEFAULTS))
    if unknown:
        raise TypeError(f"unexpected keyword argument {', '.join(map(repr, unknown))}")
    given = {**COMPARISON_DEFAULTS, **options}
    output = _output(given["progress"], given["verbose"], given["stream"])
    request = ComparisonRequest(given["seeds"], given["target"], Path(given["runs_dir"]),
                                output, processes=given["processes"])  # fmt: skip
    overrides, resume, mlflow = given["overrides"], given["resume"], given["mlflow"]
    path = None if config is None else Path(config)
    resume_path = None if resume is None else Path(resume)
    trackers = []  # a comparison resumes with the trackers its own config.yaml names
    if resume_path is not None:
        trackers = trackers_from(resume_path / files.CONFIG_FILE, [], resume_path.parent, mlflow)
    elif path is not None:
        trackers = trackers_from(path, list(overrides), request.runs_dir, mlflow)
    request = replace(request, observers=tuple(trackers))
    return run_comparison(path, resume_path, make_axes, list(overrides), request)


def resume_request(config, overrides: list[str], request: TrainRequest, saved=None) -> Run:
    """`--resume`: the run continued, with the config it saved (`saved`, if read already)."""
    from dlcli.training.resume import resume_training

    path = None if config is None else Path(str(config))
    return resume_training(request.resume, path, overrides, request, saved)


def trackers_from(config, overrides: list[str], runs_dir, mlflow: bool) -> list:
    from dlcli.tracking.base import trackers_from_config

    return trackers_from_config(config, overrides, runs_dir, mlflow)


def _output(progress: str, verbose: bool, stream: Any) -> Output:
    if progress not in ("lines", "bar", "none"):
        raise UsageError(f"progress must be 'lines', 'bar' or 'none', not {progress!r}")
    return Output(progress, stream if stream is not None else sys.stdout, verbose)


