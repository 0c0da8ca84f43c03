"""Small real trainings the export, serving and predict tests share (seconds each)."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.files import write

# 28x28 grayscale "digits": a bright bar near the top (class "top") or the bottom
# ("bottom") on a dark, noisy background, as MNIST is light on dark.
BARS_CONFIG = """\
name: bars
seed: 1
data:
  dataset: npz
  path: bars.npz
  reshape: [784]
  scale: 255
  labels: onehot
  classes: [top, bottom]
model:
  input_shape: [784]
  layers:
    - Dense: {units: 16, activation: relu}
    - Dense: {units: 2, activation: softmax}
compile:
  loss: categorical_crossentropy
  optimizer: {name: adam, learning_rate: 0.01}
  metrics: [accuracy]
train:
  epochs: 3
  batch_size: 8
"""


def bar_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.integers(0, 30, size=(n, 28, 28)).astype("uint8")
    for i, label in enumerate(y):
        x[i, 4 + 16 * label : 8 + 16 * label, 4:24] = 255
    return x, y


def train_bars(folder: Path) -> Path:
    """A trained run directory of the bars classifier."""
    from dlcli import api

    x, y = bar_images(60)
    np.savez(folder / "bars.npz", x_train=x, y_train=y, x_test=x[:10], y_test=y[:10])
    config = write(folder / "bars.yaml", BARS_CONFIG)
    return api.train(config, runs_dir=folder / "runs", progress="none").path


@pytest.fixture(scope="session")
def bars_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One bars training shared by the export, serving and CLI tests of a session."""
    return train_bars(tmp_path_factory.mktemp("bars"))


@pytest.fixture
def loopback(no_network, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this process connect to 127.0.0.1 only (conftest refuses every connection)."""
    import _socket

    original = _socket.socket.connect  # the C method under conftest's refusing patch

    def create_connection(address, timeout=None, source_address=None, **kwargs):
        host, port = address
        if host != "127.0.0.1":
            raise RuntimeError(f"tests may connect to 127.0.0.1 only, not {host}")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(timeout if isinstance(timeout, int | float) else 10)
        original(sock, (host, port))
        return sock

    monkeypatch.setattr(socket, "create_connection", create_connection)
