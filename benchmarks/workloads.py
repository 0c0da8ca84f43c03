"""The benchmark matrix's workloads: one per kind of model a config can express.

Each has a data file (a subset of real MNIST, or generated with a fixed seed) and a
dlcli config doing the same work as its plain Keras script in matrix_plain.py: same
data, model, loss, optimizer, batch size and epochs, no validation split. Sizes are
small so that the whole matrix fits in about 10 minutes on 2 shared cores; the
samples/s of epochs after the first is the steady state a longer training would see.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Workload:
    name: str
    kind: str  # what dlcli.runtime.speed_policy calls this model
    what: str  # one line for the table
    train_samples: int
    test_samples: int
    epochs: int
    model: dict[str, Any]
    compile: dict[str, Any]
    batch_size: int
    data: dict[str, Any] = field(default_factory=dict)  # dlcli data: keys beyond npz/path

    def config(self, data_path: Path) -> dict[str, Any]:
        """The dlcli config: the same work as `matrix_plain.py <name>`."""
        data = {"dataset": "npz", "path": str(data_path), "validation": "none", **self.data}
        return {
            "name": f"matrix_{self.name}",
            "seed": 42,
            "data": data,
            "model": self.model,
            "compile": {**self.compile, "metrics": ["accuracy"]},
            "train": {"epochs": self.epochs, "batch_size": self.batch_size},
        }


_MNIST_DATA = {"scale": 255, "labels": "onehot"}
_BINARY = {"loss": "binary_crossentropy", "optimizer": "adam"}
_SIGMOID = {"Dense": {"units": 1, "activation": "sigmoid"}}

WORKLOADS = [
    Workload(
        "mlp", "dense", "MNIST 784-512-10 MLP, rmsprop, batch 128",
        30000, 10000, 3,
        {"input_shape": [784], "layers": [
            {"Dense": {"units": 512, "activation": "relu"}},
            {"Dense": {"units": 10, "activation": "softmax"}}]},
        {"loss": "categorical_crossentropy", "optimizer": "rmsprop"}, 128,
        {**_MNIST_DATA, "reshape": [784]},
    ),
    Workload(
        "cnn", "convolution", "MNIST CNN of configs/mnist_cnn.yaml, adam, batch 128",
        6000, 10000, 3,
        {"input_shape": [28, 28, 1], "activation": "relu", "layers": [
            {"Conv2D": {"filters": 32, "kernel_size": 3}},
            {"MaxPooling2D": {"pool_size": 2}},
            {"Conv2D": {"filters": 64, "kernel_size": 3}},
            {"MaxPooling2D": {"pool_size": 2}},
            "Flatten",
            {"Dropout": {"rate": 0.5}},
            {"Dense": {"units": 10, "activation": "softmax"}}]},
        {"loss": "categorical_crossentropy", "optimizer": "adam"}, 128,
        {**_MNIST_DATA, "reshape": [28, 28, 1]},
    ),
    Workload(
        "lstm", "recurrent", "LSTM(64) on 50 steps x 8 features, binary, batch 128",
        4000, 2000, 3,
        {"input_shape": [50, 8], "layers": [{"LSTM": {"units": 64}}, _SIGMOID]},
        _BINARY, 128,
    ),
    Workload(
        "embedding", "embedding", "Embedding(10000, 32) on 100 token ids, avg-pool, binary",
        20000, 5000, 3,
        {"input_shape": [100], "layers": [
            {"Embedding": {"input_dim": 10000, "output_dim": 32}},
            "GlobalAveragePooling1D",
            {"Dense": {"units": 16, "activation": "relu"}}, _SIGMOID]},
        _BINARY, 128,
    ),
    Workload(
        "tabular", "dense", "20 numeric columns, 64-32-1, binary, batch 64",
        20000, 5000, 3,
        {"input_shape": [20], "layers": [
            {"Dense": {"units": 64, "activation": "relu"}},
            {"Dense": {"units": 32, "activation": "relu"}}, _SIGMOID]},
        _BINARY, 64,
    ),
]  # fmt: skip


def write_data(workload: Workload, scratch: Path) -> tuple[Path, str]:
    """The workload's npz (x_train, y_train, x_test, y_test) and what it holds."""
    path = scratch / f"{workload.name}.npz"
    n, m = workload.train_samples, workload.test_samples
    if workload.name in ("mlp", "cnn"):
        arrays, source = _mnist(n, m)
    else:
        arrays = _GENERATED[workload.name](np.random.default_rng(0), n + m)
        arrays = {"x_train": arrays[0][:n], "y_train": arrays[1][:n],
                  "x_test": arrays[0][n:], "y_test": arrays[1][n:]}  # fmt: skip
        source = "generated"
    np.savez(path, **arrays)
    return path, f"{source}, {n} train / {m} test samples"


def _mnist(n: int, m: int) -> tuple[dict[str, np.ndarray], str]:
    folder = os.environ.get("DLCLI_DATA_DIR")
    if folder and (Path(folder) / "mnist.npz").is_file():
        with np.load(Path(folder) / "mnist.npz") as data:
            arrays = {key: data[key][: n if key.endswith("train") else m] for key in data.files}
        return arrays, "real MNIST"
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (m, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, m, dtype=np.uint8),
    }
    return arrays, "MNIST-shaped random data (no mnist.npz in DLCLI_DATA_DIR)"


def _sequences(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sequences whose label is whether the first feature trends upwards."""
    x = rng.normal(size=(n, 50, 8)).astype(np.float32)
    trend = rng.choice([-1.0, 1.0], size=n).astype(np.float32)
    x[:, :, 0] += trend[:, None] * np.linspace(-1, 1, 50, dtype=np.float32)
    return x, (trend > 0).astype(np.float32)


def _tokens(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids 1..9999; positive sequences use low ids more often."""
    y = rng.integers(0, 2, n)
    low = rng.integers(1, 5000, (n, 100))
    high = rng.integers(5000, 10000, (n, 100))
    pick = rng.random((n, 100)) < np.where(y[:, None] == 1, 0.6, 0.4)
    return np.where(pick, low, high).astype(np.int32), y.astype(np.float32)


def _table(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=(n, 20)).astype(np.float32)
    weights = rng.normal(size=20).astype(np.float32)
    noise = rng.normal(scale=0.5, size=n).astype(np.float32)
    return x, (x @ weights + noise > 0).astype(np.float32)


_GENERATED = {"lstm": _sequences, "embedding": _tokens, "tabular": _table}
