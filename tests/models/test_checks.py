"""Does the model fit the data: each mismatch named with its key, before TensorFlow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlcli.config.loader import load_config
from dlcli.errors import ConfigError
from dlcli.models.checks import check_fit
from tests.helpers.files import write

CLASSIFIER = """\
model:
  input_shape: [4]
  layers:
    - Dense: {units: 8, activation: relu}
    - Dense: {units: 3, activation: softmax}
compile:
  loss: sparse_categorical_crossentropy
  metrics: [accuracy]
"""
X = np.zeros((12, 4), dtype="float32")
CLASS_IDS = (np.arange(12) % 3).astype("float32")  # labels: raw, as Keras's MNIST gives them


def problems(tmp_path: Path, text: str, x=X, y=CLASS_IDS, classes=None, validation=True):
    loaded = load_config(write(tmp_path / "c.yaml", text))
    with pytest.raises(ConfigError) as caught:
        check_fit(loaded, x, y, classes, has_validation=validation)
    return [str(p) for p in caught.value.problems]


def test_raw_class_ids_with_sparse_cross_entropy_fit_one_unit_per_class(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path / "c.yaml", CLASSIFIER))
    check_fit(loaded, X, CLASS_IDS, None)  # no error: the classic Keras set-up
    (problem,) = problems(tmp_path, CLASSIFIER.replace("units: 3,", "units: 2,"))
    assert "the output layer has 2 units but the data has 3 classes" in problem


def test_categorical_loss_on_class_ids_says_how_to_fix_it_and_nothing_else(tmp_path) -> None:
    text = CLASSIFIER.replace("sparse_categorical_crossentropy", "categorical_crossentropy")
    (problem,) = problems(tmp_path, text)
    assert "use loss: sparse_categorical_crossentropy, or set data.labels: onehot" in problem


def test_token_ids_beyond_the_embedding_vocabulary(tmp_path: Path) -> None:
    embedding = "- Embedding: {input_dim: 5, output_dim: 2}\n    - Flatten"
    text = CLASSIFIER.replace("- Dense: {units: 8, activation: relu}", embedding)
    tokens = np.tile(np.arange(4, dtype="float32") * 3, (12, 1))  # ids up to 9
    (problem,) = problems(tmp_path, text, x=tokens)
    assert "model.layers[0].Embedding.input_dim" in problem
    assert "token ids up to 9 but input_dim is 5; use input_dim: 10" in problem


def test_callbacks_must_monitor_a_logged_value(tmp_path: Path) -> None:
    text = CLASSIFIER + "train:\n  callbacks:\n    early_stopping: {monitor: val_acuracy}\n"
    (problem,) = problems(tmp_path, text)
    assert "train.callbacks.early_stopping.monitor" in problem
    assert "did you mean 'val_accuracy'?" in problem
    keep_best = CLASSIFIER + "train:\n  callbacks:\n    keep_best: {}\n"  # monitors val_loss
    (problem,) = problems(tmp_path, keep_best, validation=False)
    assert "there is no validation data" in problem and "'loss'" in problem
