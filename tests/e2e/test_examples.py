"""The example configs give the answers their comments promise.

These train for hundreds of epochs (Keras spends ~50 ms per epoch even on four
samples), so they are marked slow: `make test-slow` runs them.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.api import predict
from dlcli.config.loader import load_config
from dlcli.trained.inference import inspect
from dlcli.training.request import Output, TrainRequest
from dlcli.training.runner import train
from tests.helpers.files import REPO

pytestmark = pytest.mark.slow
QUIET = Output("none")


def train_example(name: str, tmp_path, *overrides: str):
    loaded = load_config(REPO / "configs" / name, list(overrides))
    return train(loaded, TrainRequest(runs_dir=tmp_path, output=QUIET))


def test_perceptron_learns_or_with_targets_minus_one_and_one(tmp_path) -> None:
    result = train_example("perceptron_or.yaml", tmp_path)
    rows = predict(result.path, [str(REPO / "configs" / "data" / "or_inputs.csv")])
    values = [row["values"][0] for row in rows]
    assert values[0] < -0.7 and all(v > 0.8 for v in values[1:])
    kernel, bias = (w["values"] for w in inspect(result.path)[0]["weights"])
    assert min(np.ravel(kernel)) > 0 > bias[0]


def test_linear_regression_recovers_w_and_b(tmp_path) -> None:
    result = train_example("linear_regression.yaml", tmp_path)
    kernel, bias = (w["values"] for w in inspect(result.path)[0]["weights"])
    assert kernel[0][0] == pytest.approx(2.0, abs=0.05)
    assert bias[0] == pytest.approx(1.0, abs=0.05)


def test_xor_needs_the_hidden_layer(tmp_path) -> None:
    result = train_example("xor_mlp.yaml", tmp_path)
    rows = predict(result.path, [str(REPO / "configs" / "data" / "xor_inputs.csv")])
    assert [row["class"] for row in rows] == [0, 1, 1, 0]
    single = train_example("xor_mlp.yaml", tmp_path,
                           "model.layers=[{Dense: {units: 1, activation: sigmoid}}]")  # fmt: skip
    assert single.metrics["accuracy"] <= 0.75


def test_mnist_mlp_reaches_the_reference_accuracy(tmp_path, mnist_dir) -> None:
    result = train_example("mnist_mlp.yaml", tmp_path)
    assert result.metrics["accuracy"] >= 0.975
