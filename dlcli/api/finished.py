"""The Python API for runs that already exist: evaluate, predict, inspect, export, serve,
and the run-directory readers (list, diff, report). Each behaves as its command does."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dlcli.comparison.plan import Comparison
from dlcli.errors import UsageError
from dlcli.trained.run_handle import Run


def evaluate(run: str | Path | Run, data: str | None = None, verbose: bool = False) -> dict:
    """Evaluate a trained run again (its test split, or `data`); records evaluation.json."""
    from dlcli.trained.inference import evaluate as run_evaluation

    return run_evaluation(_path(run), data, verbose)


def predict(
    run: str | Path | Run,
    inputs: Sequence[str | Path],
    top_k: int = 1,
    verbose: bool = False,
    *,
    invert: str = "auto",
    threshold: float = 0.5,
) -> list[dict[str, Any]]:
    """One dict per input row: its class, class name and probability (classifiers) or
    its values. `invert` (auto|always|never) for grayscale images; `threshold` for a
    single sigmoid output (its row also gives the raw `score`)."""
    _, chunks = predict_chunks(run, inputs, top_k, verbose, invert=invert, threshold=threshold)
    return [row for chunk in chunks for row in chunk]


def export(
    run: str | Path | Run,
    formats: Sequence[str] = ("saved_model", "onnx", "tflite"),
    *,
    force: bool = False,
    verbose: bool = False,
) -> list[dict[str, Any]]:
    """Export as `dlcli export` does: each format checked against Keras by its own
    runtime, then written to RUN/export/<format>/; returns each one's metadata.json."""
    from dlcli.export.exporter import export_run

    return export_run(_path(run), list(formats), force=force, verbose=verbose)


def serve(
    run: str | Path | Run,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    verbose: bool = False,
    on_ready: Callable[[str], None] | None = None,
    max_image_values: int | None = None,
    header_timeout: float = 10.0,
    body_timeout: float = 60.0,
) -> None:
    """Serve predictions over HTTP as `dlcli serve` does, until interrupted. An upload
    over `max_image_values` decoded values (width x height x channels; None: the larger
    of 50 million and 4x the model's input) is refused from its header; a request head
    slower than `header_timeout` seconds, or a body slower than `body_timeout`, is cut."""
    from dlcli.serving.limits import ServeLimits
    from dlcli.serving.server import serve as run_server

    limits = ServeLimits(max_image_values=max_image_values, header_timeout=header_timeout,
                         body_timeout=body_timeout)  # fmt: skip
    run_server(_path(run), host, port, verbose=verbose, on_ready=on_ready, limits=limits)


def predict_chunks(
    run: str | Path | Run,
    inputs: Sequence[str | Path],
    top_k: int = 1,
    verbose: bool = False,
    *,
    invert: str = "auto",
    threshold: float = 0.5,
) -> tuple[int, Iterator[list[dict[str, Any]]]]:
    """As predict, for inputs too large for one list: (row count, chunks of rows)."""
    from dlcli.trained.prediction import predict_chunks as run_chunks

    if top_k < 1:
        raise UsageError("top_k must be at least 1")
    return run_chunks(
        _path(run), [str(i) for i in inputs], top_k, verbose, invert=invert, threshold=threshold
    )


def inspect(run: str | Path | Run, verbose: bool = False) -> list[dict[str, Any]]:
    """Each layer's weights: shapes and statistics, as `dlcli inspect` lists them."""
    from dlcli.trained.inference import inspect as run_inspection

    return run_inspection(_path(run), verbose)


def list_runs(
    runs_dir: str | Path = "runs", members: bool = False, sort: str = "started"
) -> list[dict[str, Any]]:
    """One dict per run and comparison under `runs_dir` (as `dlcli runs --json` lists them):
    name, status, dataset, params, epochs, best, test, backend, duration, started, ..."""
    from dlcli.runs.catalog import list_runs as catalog

    return catalog(runs_dir, members, sort)  # sorted, members right after their comparison


def diff(run_a: str | Path | Run, run_b: str | Path | Run) -> dict[str, Any]:
    """The config keys that differ between two runs, and their metric deltas."""
    from dlcli.runs.diff import diff_runs

    return diff_runs(_path(run_a), _path(run_b))


def report(run: str | Path | Run | Comparison) -> Path:
    """Write report.html into a run or comparison directory; return its path."""
    from dlcli.runs.html_report import write_report

    return write_report(run.path if isinstance(run, Run | Comparison) else Path(run))


def _path(run: str | Path | Run) -> Path:
    return run.path if isinstance(run, Run) else Path(run)
