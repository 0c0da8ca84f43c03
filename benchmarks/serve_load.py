"""`dlcli serve` under a bounded load: requests/s and p50/p99 latency at batch 1.

Trains the MNIST MLP briefly (real MNIST from DLCLI_DATA_DIR; 1 epoch on 6000 images:
the latency depends on the model's size, not its accuracy), starts `dlcli serve` as a
child process on a free 127.0.0.1 port, and sends real MNIST test digits over HTTP:
sequentially (one client), then from 4 concurrent clients, each request one digit,
then 32 digits per request. The plain-Keras reference is the same model called
in-process on one digit (`model(x, training=False)`), so the table shows what HTTP,
JSON and preprocessing add. No server-side micro-batching exists: each request is one
forward pass.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, REPO, child_env

REQUESTS = 400  # per scenario; bounded, about a minute in all on 2 shared cores
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _train(folder: Path) -> Path:
    from dlcli import api

    run = api.train(
        REPO / "configs" / "mnist_mlp.yaml",
        overrides=["train.epochs=1", "data.train_samples=6000"],
        runs_dir=folder, progress="none",
    )  # fmt: skip
    return run.path


def _post(port: int, body: bytes) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/predict", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"the server answered {response.status}")
    return time.perf_counter() - started


def _scenario(port: int, bodies: list[bytes], clients: int) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client(chunk: list[bytes]) -> None:
        for body in chunk:
            seconds = _post(port, body)
            with lock:
                latencies.append(seconds)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(bodies[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _stats(latencies, time.perf_counter() - started)


def _stats(latencies: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "requests_per_s": len(ordered) / wall,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def _plain_keras(run: Path, digits: Any) -> dict[str, float]:
    import keras

    model = keras.saving.load_model(run / "model.keras")
    x = (digits[:1].reshape(1, 784) / 255.0).astype("float32")
    for _ in range(20):
        model(x, training=False)
    latencies = []
    started = time.perf_counter()
    for _ in range(REQUESTS):
        t = time.perf_counter()
        model(x, training=False)
        latencies.append(time.perf_counter() - t)
    return _stats(latencies, time.perf_counter() - started)


def _wait_ready(port: int, server: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dlcli serve exited: {server.stderr.read().decode()[-500:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("dlcli serve did not answer /health in time")


def measure() -> dict[str, Any]:
    import numpy as np

    from dlcli.data.keras_datasets import find_local

    local = find_local("mnist")
    if local is None:
        return {"skipped": "real MNIST not found (set DLCLI_DATA_DIR)"}
    digits = np.load(local[1])["x_test"][:REQUESTS]
    with tempfile.TemporaryDirectory() as folder:
        run = _train(Path(folder))
        port = _free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "dlcli", "serve", str(run), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env(), cwd=REPO,
        )  # fmt: skip
        try:
            _wait_ready(port, server)
            one = [json.dumps({"inputs": [d.tolist()]}).encode() for d in digits]
            batch = [json.dumps({"inputs": digits[i : i + 32].tolist()}).encode()
                     for i in range(0, REQUESTS, 32)]  # fmt: skip
            _scenario(port, one[:20], 1)  # warm-up
            results = {
                "batch 1, 1 client": _scenario(port, one, 1),
                f"batch 1, {CLIENTS} clients": _scenario(port, one, CLIENTS),
                "batch 32, 1 client": _scenario(port, batch, 1),
                "plain Keras in-process, batch 1": _plain_keras(run, digits),
            }
        finally:
            server.terminate()
            server.wait(30)
    return {"scenarios": results, "micro_batching": "none (one forward pass per request)"}


def report(results: dict[str, Any]) -> str:
    if "skipped" in results:
        return f"serve load: skipped ({results['skipped']})"
    lines = ["serve load (MNIST MLP, real test digits over HTTP on 127.0.0.1)",
             f"{'scenario':<34}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"]  # fmt: skip
    for name, row in results["scenarios"].items():
        lines.append(f"{name:<34}{row['requests']:>9}{row['requests_per_s']:>9.1f}"
                     f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}")  # fmt: skip
    lines.append("batch 32: each request carries 32 digits (samples/s = 32 x req/s)")
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(REPO))
    print(report(measure()))
