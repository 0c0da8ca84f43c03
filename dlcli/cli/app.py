"""The `dlcli` command line. Thin commands: parse, call the Python API (`dlcli.api`), show.

Options shared by the commands, and the turning of a DlcliError into a message and an
exit code, live in `dlcli.cli.options`. Nothing here imports TensorFlow or Keras, so
`--help` and `validate` are instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dlcli.cli import compare_commands, export_commands, runs_commands, serve_commands
from dlcli.cli.completion import complete_config_path
from dlcli.cli.display import metrics_table, predictions_table, print_json, weights_listing
from dlcli.cli.options import (
    ConfigArg,
    InvertOpt,
    JsonOpt,
    MlflowOpt,
    RunArg,
    SetOpt,
    ThresholdOpt,
    VerboseOpt,
    out,
    progress_options,
    reported,
)
from dlcli.cli.scale_options import (
    BackendOpt,
    CoordinatorOpt,
    NumProcessesOpt,
    ProcessesOpt,
    ProcessIdOpt,
)

app = typer.Typer(
    name="dlcli",
    help="Train, evaluate and compare Keras models described by YAML config files.",
    no_args_is_help=True,
    # Plain help text: Typer's Rich help imports rich.markdown and markdown_it, ~0.1 s
    # of a --help that should feel instant (docs/performance.md).
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command()
def validate(
    config: ConfigArg,
    set_: SetOpt = None,
    data: Annotated[
        bool,
        typer.Option(
            "--data",
            help="Also load the data and run train's checks (input shape, output units "
            "against classes, vocabulary), without training.",
        ),
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Check a config without training: exit 0 if valid, 2 listing every problem."""
    from dlcli import api

    with reported(verbose):
        checked = api.validate(config, set_ or [], data=data)
    cfg = checked.loaded.config
    out.print(
        f"{config}: valid ({_model_size(cfg.model)}, {_parameters(checked.params)}, "
        f"{cfg.compile.loss}, {cfg.compile.optimizer.name}, {cfg.train.epochs} epochs)"
    )
    if checked.data:
        out.print(f"data: {checked.data}; the model fits it")


@app.command()
def train(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="A YAML config file, e.g. configs/mnist_mlp.yaml (optional with --resume).",
            autocompletion=complete_config_path,
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
    mlflow: MlflowOpt = False,
    backend: BackendOpt = None,
    processes: ProcessesOpt = 1,
    coordinator: CoordinatorOpt = None,
    num_processes: NumProcessesOpt = None,
    process_id: ProcessIdOpt = None,
) -> None:
    """Train the model a config describes; write everything into a new run directory."""
    from dlcli import api

    with reported(verbose):
        result = api.train(
            config, overrides=set_ or [], runs_dir=runs_dir, name=name, resume=resume,
            mlflow=mlflow, backend=backend, processes=processes,
            job=(coordinator, num_processes, process_id), **progress_options(quiet, json_, verbose),
        )  # fmt: skip
    # In a job only process 0 shows the result (a local launcher's workers are
    # `dlcli.cli.worker`, which shows none).
    if not process_id:
        _show_train_result(result, json_)


def _show_train_result(result, json_: bool) -> None:
    from dlcli.runs.records import epochs_recorded

    if json_:
        print_json(
            {
                "run_dir": str(result.path),
                "metrics": result.metrics,
                "evaluated_on": result.evaluated_on,
                "device": result.device,
                "epochs": epochs_recorded(result.history) or 0,
                "seconds": round(result.seconds or 0.0, 2),
            }
        )
        return
    out.print(f"run: {result.path}")
    metrics_table(out, f"final metrics ({result.evaluated_on} split)", result.metrics)


@app.command()
def evaluate(
    run_dir: RunArg,
    data: Annotated[
        str | None,
        typer.Option(
            help="Evaluate on this .npz/.csv (or, for image-folder, text and time-series "
            "runs, a folder or CSV of that kind) instead of the run's own test split."
        ),
    ] = None,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Evaluate a trained run again (its test split, or --data); record evaluation.json."""
    from dlcli import api

    with reported(verbose):
        record = api.evaluate(run_dir, data, verbose)
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
    invert: InvertOpt = "auto",
    threshold: ThresholdOpt = 0.5,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Predict with a trained run: the class and its probability per input, or the values."""
    import sys

    from dlcli import api
    from dlcli.cli.outputs import stream_predictions

    with reported(verbose):
        _, chunks = api.predict_chunks(
            run_dir, inputs, top_k, verbose, invert=invert, threshold=threshold
        )
        json_head = {"run_dir": str(run_dir)}
        stdout_json = sys.stdout if json_ else None
        preview = stream_predictions(chunks, output, stdout_json, json_head)
    if json_:
        return
    predictions_table(out, preview.rows, preview.count, output)
    if output:
        out.print(f"wrote {output} ({preview.count:,} rows)")


@app.command()
def inspect(run_dir: RunArg, json_: JsonOpt = False, verbose: VerboseOpt = False) -> None:
    """Each layer's weights and biases: shapes and statistics (values for tiny models)."""
    from dlcli import api

    with reported(verbose):
        layers = api.inspect(run_dir, verbose)
    if json_:
        print_json({"run_dir": str(run_dir), "layers": layers})
        return
    weights_listing(out, layers)


app.command("compare-optimizers")(compare_commands.compare_optimizers)
app.command()(compare_commands.compare)
app.command()(export_commands.export)
app.command()(serve_commands.serve)
for command in (runs_commands.runs, runs_commands.diff, runs_commands.report, runs_commands.schema):
    app.command()(command)


def main() -> None:
    app()


def _parameters(count: int) -> str:
    return f"{count:,} parameters" if count else "parameters counted when built"


def _model_size(model) -> str:
    """How big the configured model is, in its kind's terms, for `validate`."""
    from dlcli.models.kinds import model_kind

    return model_kind(model.kind).size_text(model)


if __name__ == "__main__":
    main()
