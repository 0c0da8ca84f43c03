"""dlcli.config.schema: defaults live beside their fields (here: the learning rates)."""

from __future__ import annotations

from dlcli.config import names
from dlcli.config.schema import DEFAULT_LEARNING_RATES, OptimizerConfig


def test_every_optimizer_has_one_default_learning_rate():
    assert set(DEFAULT_LEARNING_RATES) == set(names.OPTIMIZERS)
    assert all("learning_rate" not in preset for _, preset in names.OPTIMIZERS.values())


def test_an_unset_learning_rate_takes_the_default_and_a_set_one_wins():
    momentum = OptimizerConfig(name="momentum").keras_config()
    assert momentum == {"class_name": "sgd", "config": {"learning_rate": 0.01, "momentum": 0.9}}
    assert OptimizerConfig(name="adadelta").keras_config()["config"] == {"learning_rate": 1.0}
    chosen = OptimizerConfig(name="adam", learning_rate=0.05, beta_1=0.8).keras_config()
    assert chosen["config"] == {"learning_rate": 0.05, "beta_1": 0.8}
