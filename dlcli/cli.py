"""The `dlcli` command line. Thin commands: parse, hand off to the runner, show.

This is the only module that turns a DlcliError into a message and an exit code.
It imports neither TensorFlow nor Keras, so `--help` and `validate` are instant.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dlcli.display import metrics_table, predictions_table, print_json, weights_listing
from dlcli.errors import DlcliError, UsageError

app = typer.Typer(
    name="dlcli",
    help="Train, evaluate and compare Keras models described by YAML config files.",
    no_args_is_help=True,
    # Plain help text: Typer's Rich help imports rich.markdown and markdown_it, ~0.1 s
    # of a --help that should feel instant (README "Performance").
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigArg = Annotated[Path, typer.Argument(help="A YAML config file, e.g. configs/mnist_mlp.yaml.")]
RunArg = Annotated[Path, typer.Argument(help="A run directory written by `dlcli train`.")]
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
        for line in _message_lines(error):
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None


def _message_lines(error: DlcliError) -> list[str]:
    """One line per config problem, then what it means; other errors in one line."""
    from dlcli.errors import ConfigError

    if isinstance(error, ConfigError):
        count = len(error.problems)
        summary = (
            f"error: {count} problem{'s' if count != 1 else ''} in the config; nothing was run"
        )
        return [*(str(p) for p in error.problems), summary]
    return [f"error: {error}"]


@app.command()
def validate(config: ConfigArg, set_: SetOpt = None, verbose: VerboseOpt = False) -> None:
    """Check a config without training: exit 0 if valid, 2 listing every problem."""
    from dlcli.config import load_config

    with reported(verbose):
        loaded = load_config(config, set_ or [])
    cfg = loaded.config
    out.print(
        f"{config}: valid ({len(cfg.model.layers)} layers, {cfg.compile.loss}, "
        f"{cfg.compile.optimizer.name}, {cfg.train.epochs} epochs)"
    )


@app.command()
def train(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="A YAML config file, e.g. configs/mnist_mlp.yaml (optional with --resume)."
        ),
    ] = None,
    set_: SetOpt = None,
    runs_dir: Annotated[Path, typer.Option(help="Where run directories are created.")] = Path(
        "runs"
    ),
    name: Annotated[
        str | None, typer.Option(help="Run name prefix (default: the config's name).")
    ] = None,
    json_: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    verbose: VerboseOpt = False,
    resume: Annotated[
        Path | None,
        typer.Option(help="Continue this interrupted run from its last finished epoch."),
    ] = None,
) -> None:
    """Train the model a config describes; write everything into a new run directory."""
    from dlcli.config import load_config
    from dlcli.rundir import run_name_problem
    from dlcli.runner import train as run_training

    with reported(verbose):
        name_problem = run_name_problem(name) if name is not None else None
        if resume is not None:
            from dlcli.resume import resume_training

            if name is not None:
                raise UsageError("--name cannot go with --resume: a run resumes in its own folder")
            result = resume_training(resume, config, set_ or [], _output(quiet, json_, verbose))
        elif config is None:
            raise UsageError("give a config file to train, or --resume RUN_DIR")
        elif name_problem:
            raise UsageError(f"--name: {name_problem}")
        else:
            loaded = load_config(config, set_ or [])
            result = run_training(loaded, runs_dir, name, _output(quiet, json_, verbose))
    if json_:
        print_json(
            {
                "run_dir": str(result.run_dir),
                "metrics": result.metrics,
                "evaluated_on": result.evaluated_on,
                "device": result.device,
                "epochs": len(result.history.get("loss", [])),
                "seconds": round(result.seconds, 2),
            }
        )
        return
    out.print(f"run: {result.run_dir}")
    metrics_table(out, f"final metrics ({result.evaluated_on} split)", result.metrics)


@app.command()
def evaluate(
    run_dir: RunArg,
    data: Annotated[
        str | None,
        typer.Option(help="Evaluate on this .npz/.csv instead of the run's own test split."),
    ] = None,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Evaluate a trained run again (its test split, or --data); record evaluation.json."""
    from dlcli.inference import evaluate as run_evaluation

    with reported(verbose):
        record = run_evaluation(run_dir, data, verbose)
    if json_:
        print_json({"run_dir": str(run_dir), **record})
        return
    metrics_table(
        out, f"evaluation on {record['data']} ({record['samples']} samples)", record["metrics"]
    )


@app.command()
def predict(
    run_dir: RunArg,
    inputs: Annotated[list[str], typer.Argument(help=".npy/.npz/.csv files or images (PNG/JPEG).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the predictions to a .csv or .json file."),
    ] = None,
    top_k: Annotated[int, typer.Option(min=1, help="Show the K most likely classes.")] = 1,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Predict with a trained run: the class and its probability per input, or the values."""
    from dlcli.inference import predict as run_prediction
    from dlcli.outputs import write_predictions

    with reported(verbose):
        rows = run_prediction(run_dir, inputs, top_k, verbose)
        if output:
            write_predictions(rows, output)
    if json_:
        print_json({"run_dir": str(run_dir), "predictions": rows})
        return
    predictions_table(out, rows)
    if output:
        out.print(f"wrote {output}")


@app.command()
def inspect(run_dir: RunArg, json_: JsonOpt = False, verbose: VerboseOpt = False) -> None:
    """Each layer's weights and biases: shapes and statistics (values for tiny models)."""
    from dlcli.inference import inspect as run_inspection

    with reported(verbose):
        layers = run_inspection(run_dir, verbose)
    if json_:
        print_json({"run_dir": str(run_dir), "layers": layers})
        return
    weights_listing(out, layers)


OptionalConfigArg = Annotated[
    Path | None, typer.Argument(help="A YAML config file (omit it with --resume).")
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


@app.command("compare-optimizers")
def compare_optimizers(
    config: OptionalConfigArg = None,
    optimizers: Annotated[
        list[str] | None,
        typer.Option(
            help="Comma-separated presets (default: sgd,momentum,nesterov,adagrad,"
            "rmsprop,adam, each with its usual learning rate)."
        ),  # fmt: skip
    ] = None,
    seeds: SeedsOpt = 1,
    set_: SetOpt = None,
    lr: Annotated[
        list[str] | None,
        typer.Option("--lr", help="NAME=VALUE: another learning rate for one optimizer."),
    ] = None,
    target: TargetOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    resume: ResumeOpt = None,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Train CONFIG once per optimizer (and seed) from the same initial weights; rank them."""
    from dlcli.compare import run_comparison
    from dlcli.compare_args import optimizer_axis

    output = _output(quiet, json_, verbose)
    with reported(verbose):
        comparison = run_comparison(
            config, resume, lambda: [optimizer_axis(optimizers or [], lr or [])],
            set_ or [], seeds, target, runs_dir, output,
        )  # fmt: skip
    _show_comparison(comparison, json_)


@app.command()
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
    seeds: SeedsOpt = 1,
    set_: SetOpt = None,
    target: TargetOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    resume: ResumeOpt = None,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Train CONFIG once per combination of --vary values (and seed); rank the settings."""
    from dlcli.compare import run_comparison
    from dlcli.compare_args import vary_axes

    output = _output(quiet, json_, verbose)
    with reported(verbose):
        comparison = run_comparison(
            config, resume, lambda: vary_axes(vary or []), set_ or [], seeds, target,
            runs_dir, output,
        )  # fmt: skip
    _show_comparison(comparison, json_)


def _show_comparison(comparison, json_: bool) -> None:
    """The ranking (table or JSON); exit 1 when some member did not complete."""
    from dlcli.compare_report import json_summary, ranking_table, verdict

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


def _output(quiet: bool, json_: bool, verbose: bool):
    """Progress: a live bar on a terminal, one line per epoch in logs, none with --quiet.
    With --json, stdout holds only the JSON, so progress goes to stderr."""
    from dlcli.runner import Output

    stream = sys.stderr if json_ else sys.stdout
    if quiet:
        return Output("none", stream, verbose)
    return Output("bar" if stream.isatty() else "lines", stream, verbose)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
