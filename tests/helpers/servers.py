"""A real `dlcli serve` server for a run, on a free 127.0.0.1 port, for a test's duration."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dlcli.serving.limits import ServeLimits
from dlcli.serving.server import bind, build_server
from tests.helpers.files import REPO


@contextlib.contextmanager
def running_server(run: Path, **options) -> Iterator[int]:
    """Start uvicorn on the run in a thread (`options`: ServeLimits fields); yield its
    port; stop it afterwards."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    uvicorn_server = build_server(run, sock, limits=ServeLimits(**options))
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uvicorn_server.started, "the server did not start"
    try:
        yield port
    finally:
        uvicorn_server.should_exit = True
        thread.join(10)
        sock.close()




def post_json(port: int, payload) -> tuple[int, dict]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return request(port, "POST", "/predict", body, {"Content-Type": "application/json"})




def free_port() -> int:
    """A port nothing listens on now (bind only: no connection is made)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]




def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


@contextlib.contextmanager
def served_process(run: Path, *options: str) -> Iterator[tuple[int, int]]:
    """`dlcli serve RUN --port P OPTIONS` in its own process, answering /health; yield
    (port, pid); stop it afterwards."""
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "dlcli", "serve", str(run), "--port", str(port), *options]
    server = subprocess.Popen(command, env=env, cwd=REPO, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                assert request(port, "GET", "/health")[0] == 200
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "it did not start"
                time.sleep(0.3)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(30)


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (the peak so far) of a process, in MiB, from /proc."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in lines)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}
