"""The key end-to-end path, run on whichever backend this process's Keras uses: train a
tiny classifier, evaluate and predict with it, extend it by --resume, and measure the
gradient-norm diagnostic. tests/e2e/test_backends.py runs it in-process (TensorFlow)
and in a child process on JAX (`python -m tests.helpers.backend_scenario DIR jax`), since
Keras fixes its backend at its first import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

# Two Gaussian blobs in 4 dimensions: learnable in a few epochs, no download.
CONFIG = """\
name: blobs
seed: 7
data:
  dataset: npz
  path: blobs.npz
  labels: sparse
  validation: split
  validation_split: 0.25
  test_split: 0.25
model:
  input_shape: [4]
  layers:
    - Dense: {units: 8, activation: relu}
    - Dense: {units: 2, activation: softmax}
compile:
  loss: sparse_categorical_crossentropy
  optimizer: {name: adam, learning_rate: 0.05}
  metrics: [accuracy]
train:
  epochs: 3
  batch_size: 16
  diagnostics: [gradient_norms]
"""


def write_problem(folder: Path) -> Path:
    """blobs.npz (x, y) and blobs.yaml in `folder`; returns the config's path."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 256)
    x = rng.normal(size=(256, 4)).astype("float32") + 1.5 * y[:, None]
    np.savez(folder / "blobs.npz", x=x, y=y)
    np.save(folder / "inputs.npy", x[:3])
    config = folder / "blobs.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def scenario(folder: Path, backend: str) -> dict:
    """Everything a test checks, as JSON-able values."""
    from dlcli import api

    config = write_problem(folder)
    runs = folder / "runs"
    run = api.train(config, runs_dir=runs, backend=backend, progress="none",
                    overrides=["train.epochs=2"])  # fmt: skip
    tensorflow_imported = "tensorflow" in sys.modules  # by training, TensorBoard logs included
    env = json.loads((run.path / "env.json").read_text())
    evaluated = api.evaluate(run)
    predictions = api.predict(run, [str(folder / "inputs.npy")], top_k=2)
    resumed = api.train(resume=run.path, overrides=["train.epochs=3"], progress="none")
    norms = json.loads((run.path / "diagnostics.json").read_text())["gradient_norms"]
    return {
        "refusals": {s: refusal(config, runs, s, backend) for s in REFUSED},
        "run": str(run.path),
        "backend": env["backend"],
        "config_backend": (run.path / "config.yaml").read_text().count(f"backend: {backend}"),
        "metrics": run.metrics,
        "evaluated": evaluated["metrics"],
        "predictions": predictions,
        "resumed_epochs": len(resumed.history["loss"]),
        "resumed_state": resumed.status["state"],
        "norm_epochs": norms["epochs"],
        "norms": norms["layers"],
        "history": resumed.history,
        "tensorflow_imported": tensorflow_imported,
    }


# Settings this CPU-only machine must refuse on every backend, before a run directory.
REFUSED = ("train.device=gpu", "train.precision=mixed_float16")


def refusal(config: Path, runs: Path, setting: str, backend: str) -> str:
    from dlcli import api
    from dlcli.errors import DlcliError

    before = set(runs.iterdir())
    try:
        api.train(config, runs_dir=runs, overrides=[setting], backend=backend, progress="none")
    except DlcliError as error:
        return str(error) + ("" if set(runs.iterdir()) == before else " (LEFT A RUN DIRECTORY)")
    return "trained"


if __name__ == "__main__":
    print(json.dumps(scenario(Path(sys.argv[1]), sys.argv[2])))
