"""A tiny config (XOR, inline data, a few epochs) for tests that train for real in seconds."""

from __future__ import annotations

from pathlib import Path

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
