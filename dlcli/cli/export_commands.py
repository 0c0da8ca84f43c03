"""`dlcli export`: a trained run's model as SavedModel, ONNX and LiteRT, each checked."""

from __future__ import annotations

from typing import Annotated

import typer

from dlcli.cli.display import print_json
from dlcli.cli.options import JsonOpt, RunArg, VerboseOpt, out, reported

FORMAT_NAMES = ("saved_model", "onnx", "tflite")


def export(
    run_dir: RunArg,
    format_: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="saved_model, onnx or tflite (LiteRT); repeatable; default: all three.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an export the run already has.")
    ] = False,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Export a trained run, check each export against Keras with its own runtime, and
    write it to RUN/export/<format>/ with a metadata.json (inputs, preprocessing, classes)."""
    from dlcli import api

    with reported(verbose):
        records = api.export(run_dir, format_ or list(FORMAT_NAMES), force=force, verbose=verbose)
    if json_:
        print_json({"run_dir": str(run_dir), "exports": records})
        return
    for record in records:
        check = record["check"]
        out.print(
            f"{record['format']}: {run_dir}/export/{record['format']}/{record['artifact']}  "
            f"checked with {record['runtime']} on {check['inputs']}: "
            f"max error {check['max_abs_error']:.2e} (tolerance {check['tolerance']})"
        )
