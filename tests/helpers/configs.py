"""A tiny config (XOR, inline data, a few epochs) for tests that train for real in seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from dlcli.config.loader import load_config
from dlcli.errors import ConfigError
from tests.helpers.files import write

TINY = """\
name: {name}
seed: 3
data:
  dataset: inline
  x: [[0, 0], [0, 1], [1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1]]
  y: [0, 1, 1, 0, 0, 1, 1, 0]
  labels: sparse
  validation: split
  validation_split: 0.25
  test_split: 0.25
  shuffle: false
model:
  input_shape: [2]
  activation: tanh
  layers:
    - Dense: {{units: 4}}
    - Dense: {{units: 1, activation: sigmoid}}
compile:
  loss: binary_crossentropy
  optimizer: {{name: adam, learning_rate: 0.05}}
  metrics: [accuracy]
train:
  epochs: {epochs}
  batch_size: 4
{extra}"""


def tiny_config(folder: Path, name: str = "tiny", epochs: int = 3, extra: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(TINY.format(name=name, epochs=epochs, extra=extra), encoding="utf-8")
    return path




def three_class_config(folder: Path, **train) -> Path:
    """48 samples, 4 features, 3 classes: a few dozen samples so members train in ~1 s."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).round(3)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    config = {
        "name": "tiny",
        "seed": 7,
        "data": {
            "dataset": "inline",
            "x": x.tolist(),
            "y": y.tolist(),
            "labels": "sparse",
            "validation": "split",
            "validation_split": 0.25,
        },
        "model": {
            "input_shape": [4],
            "layers": [
                {"Dense": {"units": 8, "activation": "relu"}},
                {"Dense": {"units": 3, "activation": "softmax"}},
            ],
        },
        "compile": {"loss": "sparse_categorical_crossentropy", "optimizer": "adam"},
        "train": {"epochs": 2, "batch_size": 8, **train},
    }
    config["compile"]["metrics"] = ["accuracy"]
    return write(folder / "tiny.yaml", yaml.safe_dump(config))




MINIMAL = """\
name: tiny
model:
  input_shape: [4]
  layers:
    - Dense: {units: 8, activation: relu}
    - Dense: {units: 3, activation: softmax}
compile:
  loss: categorical_crossentropy
  optimizer: adam
  metrics: [accuracy]
train:
  epochs: 2
"""


def problems_of(path: Path, overrides=()) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, list(overrides))
    return [str(p) for p in caught.value.problems]
