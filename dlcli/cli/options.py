"""What every command shares: argument and option types, the consoles, and the one
place a `DlcliError` becomes a message on stderr and an exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dlcli.cli.completion import complete_config_path, complete_run_dir
from dlcli.errors import DlcliError

ConfigArg = Annotated[
    Path,
    typer.Argument(
        help="A YAML config file, e.g. configs/mnist_mlp.yaml.",
        autocompletion=complete_config_path,
    ),
]
RunArg = Annotated[
    Path,
    typer.Argument(
        help="A run directory written by `dlcli train`.", autocompletion=complete_run_dir
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a config key: KEY=VALUE (YAML value), repeatable, "
        "e.g. --set train.epochs=3 --set compile.optimizer.learning_rate=0.01.",
    ),
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show TensorFlow's logs and full tracebacks.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
InvertOpt = Annotated[
    str,
    typer.Option(
        help="auto, always or never: invert grayscale images' colours; auto = when an "
        "image's border (its background) is the other way round from the training "
        "images' (MNIST: dark).",
    ),
]
ThresholdOpt = Annotated[
    float,
    typer.Option(help="A single sigmoid output: the probability at which it means class 1."),
]
MlflowOpt = Annotated[
    bool,
    typer.Option(
        "--mlflow",
        help="Log to MLflow (as `tracking: {mlflow: {}}` would): $MLFLOW_TRACKING_URI, else "
        "RUNS_DIR/mlflow.db. Needs dlcli[mlflow].",
    ),
]

out = Console(highlight=False, soft_wrap=True, markup=False)  # paths may hold [brackets]
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


@contextlib.contextmanager
def reported(verbose: bool) -> Iterator[None]:
    """Turn a DlcliError into one clear message on stderr and its exit code."""
    try:
        yield
    except DlcliError as error:
        if verbose:
            err.print_exception()
        for line in message_lines(error):
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None


def message_lines(error: DlcliError) -> list[str]:
    """One line per config problem, then what it means; other errors in one line."""
    from dlcli.errors import ConfigError

    if isinstance(error, ConfigError):
        count = len(error.problems)
        summary = (
            f"error: {count} problem{'s' if count != 1 else ''} in the config; nothing was run"
        )
        return [*(str(p) for p in error.problems), summary]
    return [f"error: {error}"]


def progress_options(quiet: bool, json_: bool, verbose: bool) -> dict:
    """Progress: a live bar on a terminal, one line per epoch in logs, none with --quiet.
    With --json, stdout holds only the JSON, so progress goes to stderr."""
    stream = sys.stderr if json_ else sys.stdout
    progress = "none" if quiet else "bar" if stream.isatty() else "lines"
    return {"progress": progress, "verbose": verbose, "stream": stream}
