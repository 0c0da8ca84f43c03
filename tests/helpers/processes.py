"""Running dlcli in child processes: an offline environment, weights read back, and the
config of a two-process job."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tests.helpers.files import REPO


def offline_env(tmp_path: Path) -> dict[str, str]:
    """A subprocess that cannot reach the network and has its own Keras cache."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO),
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        KERAS_HOME=str(tmp_path / "keras_home"),
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    return env


def weights(path: Path) -> list[np.ndarray]:
    import h5py

    arrays: list[np.ndarray] = []
    with h5py.File(path, "r") as handle:
        handle["layers"].visititems(
            lambda name, item: arrays.append(np.array(item)) if hasattr(item, "shape") else None
        )
    return arrays




# 512 samples, no shuffling anywhere: a global batch of 32 holds the same samples
# whether one process feeds it or two feed 16 each (every other sample), so the two
# runs differ only by the order of floating-point sums. 128 test samples: every
# process gets the same number, so the final metrics cover the whole split.
DISTRIBUTED_CONFIG = """\
name: dp
seed: 5
data:
  dataset: linear
  linear: {samples: 640, features: 3, outputs: 1, noise: 0.05}
  validation: none
  test_split: 0.2
  shuffle: false
model:
  input_shape: [3]
  layers:
    - Dense: {units: 8, activation: tanh}
    - Dense: {units: 1}
compile:
  loss: mse
  optimizer: {name: adam, learning_rate: 0.02}
  metrics: [mae]
train:
  epochs: 2
  batch_size: 32
  shuffle: false
"""
