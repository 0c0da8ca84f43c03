"""`dlcli compare` and `dlcli compare-optimizers`: parse, call the API, show the ranking.

Registered on the app in `dlcli.cli.app`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import typer
from rich.console import Console

from dlcli.cli.completion import complete_config_path
from dlcli.cli.display import print_json
from dlcli.cli.options import (
    JsonOpt,
    MlflowOpt,
    SetOpt,
    VerboseOpt,
    err,
    out,
    progress_options,
    reported,
)
from dlcli.cli.scale_options import ProcessesOpt

OptionalConfigArg = Annotated[
    Path | None,
    typer.Argument(
        help="A YAML config file (omit it with --resume).", autocompletion=complete_config_path
    ),
]
SeedsOpt = Annotated[
    int,
    typer.Option(
        min=1,
        help="Train every setting with seeds 1..N. 1 is quick, but 3 or more are "
        "recommended: the table then shows mean ± std and whether a winner is clear.",
    ),
]
TargetOpt = Annotated[
    str | None,
    typer.Option(help="METRIC=VALUE, e.g. val_accuracy=0.97: report epochs to reach it."),
]
ResumeOpt = Annotated[
    Path | None,
    typer.Option(help="Continue an interrupted comparison: re-run only unfinished members."),
]
RunsDirOpt = Annotated[Path, typer.Option(help="Where run directories are created.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]


@dataclass(frozen=True)
class ComparisonOptions:
    """The options both comparison commands take, declared once in SHARED_OPTIONS."""

    seeds: int
    set_: list[str] | None
    target: str | None
    runs_dir: Path
    resume: Path | None
    json_: bool
    quiet: bool
    verbose: bool
    mlflow: bool
    processes: int

    def api_keywords(self) -> dict[str, Any]:
        """The keywords `dlcli.api.compare` and `compare_optimizers` both take."""
        return {
            "seeds": self.seeds, "overrides": self.set_ or [], "target": self.target,
            "runs_dir": self.runs_dir, "resume": self.resume, "mlflow": self.mlflow,
            "processes": self.processes, **progress_options(self.quiet, self.json_, self.verbose),
        }  # fmt: skip


SHARED_OPTIONS: list[tuple[str, Any, Any]] = [  # (parameter, its typer annotation, default)
    ("seeds", SeedsOpt, 1),
    ("set_", SetOpt, None),
    ("target", TargetOpt, None),
    ("runs_dir", RunsDirOpt, Path("runs")),
    ("resume", ResumeOpt, None),
    ("json_", JsonOpt, False),
    ("quiet", QuietOpt, False),
    ("verbose", VerboseOpt, False),
    ("mlflow", MlflowOpt, False),
    ("processes", ProcessesOpt, 1),
]


def with_comparison_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command` the SHARED_OPTIONS after its own parameters; it receives them as one
    `options: ComparisonOptions`. Typer reads the parameters from the signature."""
    hints = get_type_hints(command, include_extras=True)
    own = [p.replace(annotation=hints[p.name])
           for p in inspect.signature(command).parameters.values() if p.name != "options"]
    shared = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=annotation, default=default)
              for name, annotation, default in SHARED_OPTIONS]  # fmt: skip

    @functools.wraps(command)
    def run(**given: Any) -> None:
        options = ComparisonOptions(**{name: given.pop(name) for name, *_ in SHARED_OPTIONS})
        command(**given, options=options)

    run.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in [*own, *shared]}
    return run


@with_comparison_options
def compare_optimizers(
    config: OptionalConfigArg = None,
    optimizers: Annotated[
        list[str] | None,
        typer.Option(
            help="Comma-separated presets (default: sgd,momentum,nesterov,adagrad,"
            "rmsprop,adam, each with its usual learning rate)."
        ),  # fmt: skip
    ] = None,
    lr: Annotated[
        list[str] | None,
        typer.Option("--lr", help="NAME=VALUE: another learning rate for one optimizer."),
    ] = None,
    *,
    options: ComparisonOptions,
) -> None:
    """Train CONFIG once per optimizer (and seed) from the same initial weights; rank them."""
    from dlcli import api

    with reported(options.verbose):
        comparison = api.compare_optimizers(
            config, optimizers=optimizers or [], learning_rates=lr or [],
            **options.api_keywords(),
        )  # fmt: skip
    _show_comparison(comparison, options.json_)


@with_comparison_options
def compare(
    config: OptionalConfigArg = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="KEY=V1,V2,...: values to try (YAML), repeatable for a cartesian "
            "product; commas inside [...] or {...} do not split, so "
            "'model.layers=[...],[...]' varies the layer stack."
        ),  # fmt: skip
    ] = None,
    *,
    options: ComparisonOptions,
) -> None:
    """Train CONFIG once per combination of --vary values (and seed); rank the settings."""
    from dlcli import api

    with reported(options.verbose):
        comparison = api.compare(config, vary=vary or [], **options.api_keywords())
    _show_comparison(comparison, options.json_)


def _show_comparison(comparison, json_: bool) -> None:
    """The ranking (table or JSON); exit 1 when some member did not complete."""
    from dlcli.comparison.report import json_summary, ranking_table, verdict

    if json_:
        print_json(json_summary(comparison))
    else:
        out.print(f"comparison: {comparison.path}")
        # In a log or pipe Rich assumes 80 columns, too few for this table: use 120.
        wide = out if out.is_terminal else Console(highlight=False, width=120)
        wide.print(ranking_table(comparison))
        for line in verdict(comparison):
            out.print(line, markup=False)
    if comparison.failed:
        err.print(f"error: {len(comparison.failed)} member(s) did not complete; "
                  "the comparison covers the others", markup=False)  # fmt: skip
        raise typer.Exit(1)
