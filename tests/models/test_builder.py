"""Config -> Keras model: layers, defaults, initializers, regularizers, compile."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from dlcli.config.loader import load_config
from dlcli.errors import ModelError
from dlcli.models.builder import build_model
from dlcli.models.kind import compile_model
from dlcli.runtime.backend import seed_everything
from tests.helpers.files import write

BASE = """\
model:
  input_shape: [4]
  activation: tanh
  layers:
    - Dense: {units: 8}
    - Dropout: {rate: 0.5}
    - Dense: {units: 3}
compile:
  loss: mse
  optimizer: {name: momentum, learning_rate: 0.05}
"""


def build(tmp_path: Path, text: str = BASE, *overrides: str):
    cfg = load_config(write(tmp_path / "c.yaml", text), list(overrides)).config
    seed_everything(cfg.seed)
    model = build_model(cfg.model)
    compile_model(model, cfg.compile)
    return model


def test_default_activation_applies_to_hidden_layers_only(tmp_path: Path) -> None:
    model = build(tmp_path)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.activation.__name__ for d in dense] == ["tanh", "linear"]
    assert isinstance(model.layers[1], keras.layers.Dropout) and model.layers[1].rate == 0.5


def test_optimizer_presets_reach_keras(tmp_path: Path) -> None:
    optimizer = build(tmp_path).optimizer
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == pytest.approx(0.9)
    assert float(optimizer.learning_rate) == pytest.approx(0.05)


def test_initializers_and_weight_decay(tmp_path: Path) -> None:
    text = BASE.replace("- Dense: {units: 8}", "- Dense: {units: 8, kernel_initializer: "
                        "{name: random_uniform, minval: -0.5, maxval: 0.5}, bias_initializer: "
                        "zeros, kernel_regularizer: {l2: 0.01}}")  # fmt: skip
    model = build(tmp_path, text)
    kernel, bias = model.layers[0].get_weights()
    assert np.all(np.abs(kernel) <= 0.5) and kernel.std() > 0.1 and np.all(bias == 0)
    assert len(model.losses) == 1  # the L2 penalty joins the loss


def test_layers_of_one_shape_do_not_start_identical(tmp_path: Path) -> None:
    text = BASE.replace(
        "- Dense: {units: 8}",
        "- Dense: {units: 4, kernel_initializer: "
        "random_uniform}\n    - Dense: {units: 4, kernel_initializer: random_uniform}",
    )
    model = build(tmp_path, text)
    assert not np.array_equal(model.layers[0].get_weights()[0], model.layers[1].get_weights()[0])


def test_same_seed_same_initial_weights(tmp_path: Path) -> None:
    first = build(tmp_path).get_weights()
    second = build(tmp_path).get_weights()
    third = build(tmp_path, BASE, "seed=7").get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not np.array_equal(first[0], third[0])


def test_cnn_and_recurrent_layers_build(tmp_path: Path) -> None:
    cnn = BASE.replace("input_shape: [4]", "input_shape: [28, 28, 1]").replace(
        "    - Dense: {units: 8}\n    - Dropout: {rate: 0.5}\n",
        "    - Conv2D: {filters: 4, kernel_size: 3}\n    - MaxPooling2D: {pool_size: 2}\n"
        "    - BatchNormalization\n    - GlobalAveragePooling2D\n")  # fmt: skip
    assert build(tmp_path, cnn).output_shape == (None, 3)
    rnn = BASE.replace("input_shape: [4]", "input_shape: [10]").replace(
        "    - Dense: {units: 8}\n    - Dropout: {rate: 0.5}\n",
        "    - Embedding: {input_dim: 50, output_dim: 8}\n"
        "    - LSTM: {units: 4, return_sequences: true}\n    - GRU: {units: 4}\n")  # fmt: skip
    assert build(tmp_path, rnn).output_shape == (None, 3)


def test_layers_that_do_not_fit_together_are_a_model_error(tmp_path: Path) -> None:
    text = BASE.replace("- Dense: {units: 8}", "- Conv2D: {filters: 4, kernel_size: 3}")
    with pytest.raises(ModelError) as caught:
        build(tmp_path, text)
    assert str(caught.value).startswith(
        "model.layers[0].Conv2D: does not fit its input of shape (4,)"
    )
    assert "(4,)" in str(caught.value)
