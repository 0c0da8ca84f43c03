"""`dlcli serve`: an HTTP prediction server for a trained run."""

from __future__ import annotations

from typing import Annotated

import typer

from dlcli.cli.options import RunArg, VerboseOpt, err, reported
from dlcli.serving.limits import BODY_TIMEOUT, HEADER_TIMEOUT


def serve(
    run_dir: RunArg,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    max_image_values: Annotated[
        int | None,
        typer.Option(
            help="Largest upload decoded, in values: width x height x channels (RGBA: 4 a "
            "pixel), read from the file's header before decoding; larger is a 413. "
            "Default: the larger of 50,000,000 and 4x the model's input.",
            show_default=False,
        ),
    ] = None,
    header_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to send a request's head.")
    ] = HEADER_TIMEOUT,
    body_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to send a body, after its head.")
    ] = BODY_TIMEOUT,
    verbose: VerboseOpt = False,
) -> None:
    """Serve predictions: POST /predict (JSON, or an image upload), GET /health, GET /metadata."""
    from dlcli import api

    def ready(url: str) -> None:
        err.print(
            f"serving {run_dir} at {url}  (POST {url}/predict, GET {url}/metadata; Ctrl-C stops)"
        )

    with reported(verbose):
        api.serve(run_dir, host, port, verbose=verbose, on_ready=ready,
                  max_image_values=max_image_values, header_timeout=header_timeout,
                  body_timeout=body_timeout)  # fmt: skip
