"""`dlcli serve`: an HTTP prediction server for a trained run."""

from __future__ import annotations

from typing import Annotated

import typer

from dlcli.cli.options import RunArg, VerboseOpt, err, reported


def serve(
    run_dir: RunArg,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    verbose: VerboseOpt = False,
) -> None:
    """Serve predictions: POST /predict (JSON, or an image upload), GET /health, GET /metadata."""
    from dlcli import api

    def ready(url: str) -> None:
        err.print(
            f"serving {run_dir} at {url}  (POST {url}/predict, GET {url}/metadata; Ctrl-C stops)"
        )

    with reported(verbose):
        api.serve(run_dir, host, port, verbose=verbose, on_ready=ready)
