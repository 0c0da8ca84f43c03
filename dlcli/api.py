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
from collections.abc import Callable, Iterator, Sequence
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
    "predict_chunks",
    "train",
    "validate",
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


@dataclass
class Validation:
    """What `dlcli validate` found: the config, its size, and the data it was checked on."""

    loaded: LoadedConfig
    params: int  # the model's parameter count (dlcli.training.capacity)
    memory_bytes: int  # the estimated training memory
    data: str | None = None  # with data=True: the training split's shape


def validate(config: ConfigLike, overrides: Sequence[str] = (), data: bool = False) -> Validation:
    """Check a config as `dlcli validate` does: the schema, the model's size against this
    machine's memory and, with `data`, the data against the model (what `train` checks
    before training). Raises the error `train` would; trains nothing."""
    from dlcli.training.capacity import check_capacity

    loaded = config if isinstance(config, LoadedConfig) else load_config(config, overrides)
    found = check_capacity(loaded)
    result = Validation(loaded, found.params, found.bytes)
    if data:
        from dlcli.training.runner import load_checked_data

        dataset = load_checked_data(loaded)
        result.data = f"{len(dataset.x_train)} training samples of shape " + (
            f"{list(dataset.x_train.shape[1:])}"
        )
    return result


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
) -> Run:
    """Train as `dlcli train` does, into a new run directory (or `resume` an unfinished one).

    `config` is a file or a `LoadedConfig`; `progress` is "lines", "bar" or "none".
    """
    output = _output(progress, verbose, stream)
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


def predict_chunks(
    run: str | Path | Run, inputs: Sequence[str | Path], top_k: int = 1, verbose: bool = False
) -> tuple[int, Iterator[list[dict[str, Any]]]]:
    """As predict, for inputs too large for one list: (row count, chunks of rows)."""
    from dlcli.training.inference import predict_chunks as run_chunks

    if top_k < 1:
        raise UsageError("top_k must be at least 1")
    return run_chunks(_path(run), [str(i) for i in inputs], top_k, verbose)


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
) -> Comparison:
    """Train `config` once per combination of `vary` values ("KEY=V1,V2") and seed."""
    return _compare(
        config, lambda: vary_axes(list(vary)), seeds, overrides, target, runs_dir, resume,
        _output(progress, verbose, stream),
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
) -> Comparison:
    """Train `config` once per optimizer preset (default: all six) and seed, as
    `dlcli compare-optimizers` does; `learning_rates` holds "NAME=VALUE" items."""
    return _compare(
        config, lambda: [optimizer_axis(list(optimizers), list(learning_rates))], seeds,
        overrides, target, runs_dir, resume, _output(progress, verbose, stream),
    )  # fmt: skip


def _compare(
    config, make_axes: Callable[[], list[Axis]], seeds, overrides, target, runs_dir, resume, output
) -> Comparison:
    from dlcli.compare.members import run_comparison

    path = None if config is None else Path(config)
    resume_path = None if resume is None else Path(resume)
    return run_comparison(
        path, resume_path, make_axes, list(overrides), seeds, target, runs_dir, output
    )


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
