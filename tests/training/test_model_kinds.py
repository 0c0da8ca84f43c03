"""Graph and GAN models built and trained for real on a few samples; learning-rate-free
checks of what a user sees: shapes named in errors, both GAN losses, the sample grid."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from dlcli.api import predict
from dlcli.config.loader import load_config
from dlcli.config.model_schema import ModelConfig
from dlcli.errors import DataError, ModelError
from dlcli.models.builder import build_model
from dlcli.trained.inference import evaluate
from dlcli.training.request import Output, TrainRequest
from dlcli.training.runner import train


def write_config(tmp_path, config: dict):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return load_config(path)


def test_graph_with_column_inputs_trains_saves_and_predicts(tmp_path) -> None:
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 5, 64), rng.integers(0, 4, 64)
    rows = "\n".join(f"{u},{i},{(u - 2) * (i - 1.5):.2f}" for u, i in zip(users, items,
                                                                       strict=True))  # fmt: skip
    (tmp_path / "ratings.csv").write_text("user,item,rating\n" + rows + "\n")
    loaded = write_config(tmp_path, {
        "data": {"dataset": "csv", "path": "ratings.csv", "target": "rating"},
        "model": {"kind": "graph", "input_shape": [2],
                  "inputs": {"user": {"columns": [0]}, "item": {"columns": [1]}},
                  "nodes": [
                      {"name": "u", "inputs": ["user"],
                       "layer": {"Embedding": {"input_dim": 5, "output_dim": 2}}},
                      {"name": "i", "inputs": ["item"],
                       "layer": {"Embedding": {"input_dim": 4, "output_dim": 2}}},
                      {"name": "dot", "inputs": ["u", "i"], "layer": {"Dot": {"axes": 2}}},
                      {"name": "rating", "inputs": ["dot"], "layer": "Flatten"}]},
        "compile": {"loss": "mse"}, "train": {"epochs": 2, "batch_size": 16},
    })  # fmt: skip
    result = train(loaded, TrainRequest(runs_dir=tmp_path / "runs", output=Output("none")))
    assert (result.path / "model.keras").is_file()
    (tmp_path / "pairs.csv").write_text("user,item\n1,2\n")
    [row] = predict(result.path, [str(tmp_path / "pairs.csv")])  # loads in safe mode
    assert len(row["values"]) == 1


def test_a_graph_shape_mismatch_names_the_node_and_shapes() -> None:
    model = ModelConfig.model_validate({
        "kind": "graph", "input_shape": [4], "nodes": [
            {"name": "a", "inputs": ["input"], "layer": {"Dense": {"units": 3}}},
            {"name": "b", "inputs": ["input"], "layer": {"Dense": {"units": 5}}},
            {"name": "sum", "inputs": ["a", "b"], "layer": "Add"}]})  # fmt: skip
    with pytest.raises(ModelError, match=r"model.nodes\[2\] 'sum'.*a \(3,\), b \(5,\)"):
        build_model(model)


def test_a_generator_that_does_not_make_samples_is_refused() -> None:
    model = ModelConfig.model_validate({
        "kind": "gan", "input_shape": [4], "latent_dim": 2,
        "generator": [{"Dense": {"units": 3}}], "discriminator": [{"Dense": {"units": 1}}]})
    with pytest.raises(ModelError, match=r"samples of shape \[3\].*\[4\]"):
        build_model(model)


def test_gan_logs_both_losses_saves_sample_grids_and_generates(tmp_path) -> None:
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "blobs.npz", x=rng.random((64, 4, 4)).astype("float32"),
             y=np.zeros(64))  # fmt: skip
    loaded = write_config(tmp_path, {
        "data": {"dataset": "npz", "path": "blobs.npz", "reshape": [4, 4, 1],
                 "validation": "none"},
        "model": {"kind": "gan", "input_shape": [4, 4, 1], "latent_dim": 3,
                  "generator": [{"Dense": {"units": 16, "activation": "sigmoid"}},
                                {"Reshape": {"target_shape": [4, 4, 1]}}],
                  "discriminator": ["Flatten", {"Dense": {"units": 1}}]},
        "compile": {"loss": "binary_crossentropy", "optimizer": "adam"},
        "train": {"epochs": 2, "batch_size": 16},
    })  # fmt: skip
    result = train(loaded, TrainRequest(runs_dir=tmp_path / "runs", output=Output("none")))
    history = json.loads((result.path / "history.json").read_text())
    assert set(history) == {"d_loss", "g_loss"} and len(history["g_loss"]) == 2
    plots = sorted(p.name for p in (result.path / "plots").iterdir())
    assert "samples_epoch_001.png" in plots and "samples_epoch_002.png" in plots
    assert (result.path / "discriminator.keras").is_file()
    rows = predict(result.path, ["3"])
    assert len(rows) == 3 and all(len(r["values"]) == 16 for r in rows)
    assert all(0 <= v <= 1 for r in rows for v in r["values"])  # the sigmoid's samples
    with pytest.raises(DataError, match="is a GAN: it has no accuracy to re-evaluate"):
        evaluate(result.path)
    with pytest.raises(DataError, match="give how many samples to generate"):
        predict(result.path, ["lots"])


def test_the_course_layers_build_and_augmentation_is_training_only() -> None:
    import numpy as np

    images = ModelConfig.model_validate({"input_shape": [8, 8, 1], "layers": [
        {"RandomFlip": {"mode": "horizontal"}}, {"RandomRotation": {"factor": 0.1}},
        {"RandomZoom": {"height_factor": 0.1}}, {"RandomTranslation": {"height_factor": 0.1}},
        {"Conv2DTranspose": {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}},
        {"UpSampling2D": {"size": 2}}, {"LeakyReLU": {"negative_slope": 0.2}}]})  # fmt: skip
    model = build_model(images)
    assert model.output_shape == (None, 32, 32, 2)
    x = np.random.default_rng(0).random((2, 8, 8, 1)).astype("float32")
    assert np.allclose(model(x, training=False), model(x, training=False))  # no augmenting
    sequences = ModelConfig.model_validate({"input_shape": [5, 3], "layers": [
        {"Bidirectional": {"layer": "LSTM", "units": 4, "merge_mode": "concat"}}]})
    assert build_model(sequences).output_shape == (None, 8)  # forwards + backwards
    with pytest.raises(ModelError, match="RandomZoom takes height_factor"):
        build_model(ModelConfig.model_validate(
            {"input_shape": [8, 8, 1], "layers": [{"RandomZoom": {"factor": 0.1}}]}))
