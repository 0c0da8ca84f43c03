"""Every shipped course config trains, on small data and few epochs (default suite), and
the slow tests check the result each config's comments state (`make test-slow`)."""

from __future__ import annotations

import json

import pytest

from dlcli.api import predict
from dlcli.config.loader import load_config
from dlcli.trained.inference import evaluate
from dlcli.training.request import Output, TrainRequest
from dlcli.training.runner import train
from tests.helpers.files import REPO

QUIET = Output("none")
DATA = REPO / "configs" / "data"


def train_config(name: str, tmp_path, *overrides: str):
    loaded = load_config(REPO / "configs" / name, list(overrides))
    return train(loaded, TrainRequest(runs_dir=tmp_path, output=QUIET))


def test_rnn_vs_lstm_recall_trains_on_a_short_series(tmp_path) -> None:
    result = train_config("rnn_vs_lstm_recall.yaml", tmp_path, "train.epochs=1",
                          "data.timeseries.generate.length=400")  # fmt: skip
    data = json.loads((result.path / "data.json").read_text())
    assert data["rows"]["test"] == [320, 400] and "mse" in data["naive_last_value"]


def test_lstm_forecast_trains_and_predicts_from_the_csv(tmp_path) -> None:
    result = train_config("lstm_temperature_forecast.yaml", tmp_path, "train.epochs=1")
    [row] = predict(result.path, [str(DATA / "temperatures.csv")])
    assert -20 < row["values"][0] < 40  # degrees, not standardised units


@pytest.mark.parametrize("name", ["text_embedding_lstm.yaml", "text_onehot_lstm.yaml"])
def test_text_configs_train_and_predict_raw_strings(tmp_path, name) -> None:
    result = train_config(name, tmp_path, "train.epochs=1")
    assert (result.path / "vocabulary.json").is_file()
    assert (result.path / "plots" / "confusion_matrix.png").is_file()
    [row] = predict(result.path, ["the film was not good"])
    assert row["class_name"] in ("negative", "positive")


def test_image_folder_cnn_trains_evaluates_and_names_classes(tmp_path) -> None:
    result = train_config("shapes_cnn.yaml", tmp_path, "train.epochs=1")
    record = evaluate(result.path)
    assert record["data"] == "validation" and record["samples"] == 45
    [row] = predict(result.path, [str(DATA / "shapes" / "square" / "square_000.png")])
    assert row["class_name"] in ("circle", "square", "triangle")


def test_recommender_graph_trains(tmp_path) -> None:
    result = train_config("recommender_mf.yaml", tmp_path, "train.epochs=1")
    assert "root_mean_squared_error" in result.metrics


@pytest.mark.mnist
def test_mnist_gan_trains_on_a_few_digits(tmp_path, mnist_dir) -> None:
    result = train_config("mnist_gan.yaml", tmp_path, "train.epochs=1",
                          "data.train_samples=256")  # fmt: skip
    assert (result.path / "plots" / "samples_epoch_001.png").is_file()


# --- the results the configs' comments state (full runs) ------------------------------


@pytest.mark.slow
def test_lstm_beats_the_naive_forecast(tmp_path) -> None:
    result = train_config("lstm_temperature_forecast.yaml", tmp_path)
    naive = json.loads((result.path / "data.json").read_text())["naive_last_value"]
    assert result.metrics["loss"] < naive["mse"]


@pytest.mark.slow
def test_lstm_recalls_the_marked_value_and_simple_rnn_does_not(tmp_path) -> None:
    # The config's comments: LSTM test mse about 0.005, SimpleRNN 0.2-0.4 (mean guess 1.0).
    lstm = train_config("rnn_vs_lstm_recall.yaml", tmp_path)
    rnn = train_config("rnn_vs_lstm_recall.yaml", tmp_path,
                       "model.layers[0]={SimpleRNN: {units: 32}}")  # fmt: skip
    assert lstm.metrics["loss"] < 0.05 and rnn.metrics["loss"] > 0.1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["text_embedding_lstm.yaml", "text_onehot_lstm.yaml"])
def test_text_classifiers_reach_their_accuracy(tmp_path, name) -> None:
    assert train_config(name, tmp_path).metrics["accuracy"] >= 0.98


@pytest.mark.slow
def test_shapes_cnn_accuracy(tmp_path) -> None:
    assert train_config("shapes_cnn.yaml", tmp_path).metrics["accuracy"] >= 0.9


@pytest.mark.slow
def test_recommender_gets_near_the_noise_floor(tmp_path) -> None:
    result = train_config("recommender_mf.yaml", tmp_path)
    assert result.metrics["root_mean_squared_error"] < 0.45  # floor 0.3, mean guess 1.71
