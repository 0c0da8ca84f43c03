"""The names dlcli accepts without Keras are names Keras's registries resolve."""

from __future__ import annotations

import keras
import pytest

from dlcli.config import names


@pytest.mark.parametrize("name", names.ACTIVATIONS)
def test_activations_resolve(name: str) -> None:
    assert callable(keras.activations.get(name))


@pytest.mark.parametrize("name", names.LOSSES)
def test_losses_resolve(name: str) -> None:
    assert callable(keras.losses.get(name))


@pytest.mark.parametrize("name", [n for n in names.METRICS if n not in ("acc", "accuracy")])
def test_metrics_resolve(name: str) -> None:
    assert keras.metrics.get(name) is not None


@pytest.mark.parametrize("name", names.INITIALIZERS)
def test_initializers_resolve(name: str) -> None:
    config = {"value": 0.5} if name == "constant" else {}
    assert keras.initializers.get({"class_name": name, "config": config}) is not None


@pytest.mark.parametrize("name", list(names.OPTIMIZERS))
def test_optimizer_presets_build_with_every_listed_argument(name: str) -> None:
    keras_name, preset = names.OPTIMIZERS[name]
    optimizer = keras.optimizers.get({"class_name": keras_name, "config": dict(preset)})
    accepted = set(optimizer.get_config())
    listed = set(names.OPTIMIZER_COMMON_ARGS) | set(names.OPTIMIZER_ARGS.get(keras_name, ()))
    assert listed <= accepted, listed - accepted


def test_did_you_mean() -> None:
    assert names.did_you_mean("adamm", names.OPTIMIZERS) == "adam"
    assert names.did_you_mean("lr", ["learning_rate", "momentum"]) == "learning_rate"
    assert names.did_you_mean("zzzz", ["adam"]) is None
