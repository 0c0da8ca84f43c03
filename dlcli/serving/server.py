"""`dlcli serve`: bind the port first (a port in use is one clear message, before the
model is loaded), load the run, then run uvicorn on that very socket."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlcli.errors import UsageError
from dlcli.serving.app import create_app
from dlcli.serving.connections import guarded_protocol
from dlcli.serving.limits import ServeLimits
from dlcli.serving.predictor import Predictor


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a UsageError saying why not."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: a port is a number from 0 to 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart after Ctrl-C
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use (another server?); "
                "stop it or pick another with --port"
            ) from None
        if error.errno == errno.EACCES:
            raise UsageError(f"port {port}: not allowed (ports below 1024 need root)") from None
        raise UsageError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
    return sock


def build_server(
    path: str | Path, sock: socket.socket, verbose: bool = False, limits: ServeLimits | None = None
) -> Any:
    """A uvicorn.Server for the run (not started): `server.run(sockets=[sock])`."""
    import uvicorn

    limits = limits or ServeLimits()
    predictor = Predictor.load(path, verbose, limits)
    config = uvicorn.Config(
        create_app(predictor, limits),
        # uvicorn's own limit_concurrency counts open connections, so idle ones starved
        # everyone: requests are counted by the app, connections bounded by the protocol
        http=guarded_protocol(limits.header_timeout, limits.body_timeout, limits.max_connections),
        log_level="info" if verbose else "warning",
        access_log=verbose,
        timeout_keep_alive=5,
    )
    return uvicorn.Server(config)


def serve(
    path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    verbose: bool = False,
    on_ready: Callable[[str], None] | None = None,
    limits: ServeLimits | None = None,
) -> None:
    """Serve until Ctrl-C; `on_ready` gets the URL once the port listens and the model
    is loaded."""
    sock = bind(host, port)
    try:
        server = build_server(path, sock, verbose, limits)
        bound_port = sock.getsockname()[1]
        if on_ready is not None:
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{bound_port}")
        server.run(sockets=[sock])
    finally:
        sock.close()
