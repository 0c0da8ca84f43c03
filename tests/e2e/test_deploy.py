"""Real MNIST end to end: train, export the three formats, serve, ask over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dlcli import api
from tests.helpers.files import REPO


def free_port() -> int:
    from dlcli.serving.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    return port


def get(port: int, method: str, path: str, body: bytes = b"") -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


@pytest.mark.slow
@pytest.mark.mnist
def test_mnist_export_and_serve(mnist_dir: Path, tmp_path: Path, loopback) -> None:
    run = api.train(REPO / "configs" / "mnist_mlp.yaml", overrides=["train.epochs=1"],
                    runs_dir=tmp_path, progress="none").path  # fmt: skip
    records = api.export(run)
    assert [r["check"]["passed"] for r in records] == [True, True, True]
    digits = np.load(mnist_dir / "mnist.npz")
    x, y = digits["x_test"][:50], digits["y_test"][:50]
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    server = subprocess.Popen([sys.executable, "-m", "dlcli", "serve", str(run), "--port",
                               str(port)], env=env, cwd=REPO, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                assert get(port, "GET", "/health")[0] == 200
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        status, answer = get(port, "POST", "/predict", json.dumps({"inputs": x.tolist()}).encode())
    finally:
        server.terminate()
        server.wait(30)
    assert status == 200
    classes = [int(row["class_name"]) for row in answer["predictions"]]
    assert np.mean(np.array(classes) == y) >= 0.9
