"""The memory estimate: parameter counts as Keras counts them, a refusal with the numbers,
and an out-of-memory during training as a message and a failed run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dlcli.config.loader import load_config
from dlcli.errors import ConfigError, TrainingError
from dlcli.models import capacity

EVERY_LAYER = """\
model:
  input_shape: [12, 12, 1]
  layers:
    - Conv2D: {filters: 4, kernel_size: 3, padding: same}
    - BatchNormalization
    - MaxPooling2D
    - Conv2D: {filters: 3, kernel_size: [2, 3], strides: 2}
    - AveragePooling2D: {pool_size: 1}
    - Reshape: {target_shape: [-1, 3]}
    - Conv1D: {filters: 5, kernel_size: 2}
    - MaxPooling1D
    - LSTM: {units: 6, return_sequences: true}
    - GRU: {units: 4, return_sequences: true}
    - SimpleRNN: {units: 3, return_sequences: true}
    - LayerNormalization
    - GlobalAveragePooling1D
    - Dropout: {rate: 0.1}
    - Dense: {units: 7, use_bias: false}
    - Activation: {activation: relu}
    - Dense: {units: 2}
compile: {loss: mse}
"""
EMBEDDING = """\
model:
  input_shape: [10]
  layers:
    - Embedding: {input_dim: 50, output_dim: 8}
    - Flatten
    - Dense: {units: 1}
compile: {loss: mse}
"""


@pytest.mark.parametrize("text", [EVERY_LAYER, EMBEDDING], ids=["every-layer", "embedding"])
def test_the_parameter_count_is_keras_own(text: str, tmp_path: Path) -> None:
    from dlcli.models.builder import build_model

    (tmp_path / "c.yaml").write_text(text)
    loaded = load_config(tmp_path / "c.yaml")
    keras_count = build_model(loaded.config.model).count_params()
    assert capacity.estimate(loaded.config).params == keras_count


def test_a_model_beyond_available_memory_is_refused_with_its_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "c.yaml").write_text(EMBEDDING)
    loaded = load_config(tmp_path / "c.yaml")
    needed = capacity.estimate(loaded.config).bytes
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", str(needed))  # it fits: the 90% rule aside
    with pytest.raises(ConfigError) as caught:
        capacity.check_capacity(loaded)
    message = str(caught.value)
    assert "model.layers[0].Embedding: the model has 481 parameters (400 in this layer)" in message
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", str(needed * 2))
    assert capacity.check_capacity(loaded).params == 481


def test_out_of_memory_during_training_is_a_message_and_a_failed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TensorFlow's own ResourceExhaustedError, raised mid-epoch as the allocator raises it."""
    import keras
    import tensorflow as tf

    from dlcli.training import runner
    from dlcli.training.request import TrainRequest

    class Exhausted(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")

    monkeypatch.setattr(runner, "progress_callbacks", lambda output, prefix="": [Exhausted()])
    config = yaml.safe_load((Path(__file__).parents[1] / "e2e/bad_inputs/valid.yaml").read_text())
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(TrainingError, match="out of memory .*OOM when allocating tensor"):
        runner.train(load_config(tmp_path / "c.yaml"), TrainRequest(runs_dir=tmp_path / "runs"))
    [run] = list((tmp_path / "runs").iterdir())
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "failed" and status["reason"].startswith("out of memory")
    assert not (run / "model.keras").exists()
