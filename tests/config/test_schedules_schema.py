"""compile.optimizer.schedule: named learning-rate schedules, resolved by Keras."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dlcli.config.schema import OptimizerConfig


def optimizer(**schedule) -> OptimizerConfig:
    return OptimizerConfig.model_validate(
        {"name": "sgd", "learning_rate": 0.1, "schedule": schedule}
    )


@pytest.mark.parametrize(
    ("schedule", "step", "expected"),
    [
        ({"name": "exponential", "decay_steps": 10, "decay_rate": 0.5}, 20, 0.025),
        ({"name": "cosine", "decay_steps": 100, "alpha": 0.0}, 100, 0.0),
        ({"name": "cosine", "decay_steps": 100, "warmup_steps": 10, "warmup_target": 0.2},
         5, 0.15),
        ({"name": "piecewise", "boundaries": [5, 10], "values": [0.1, 0.01, 0.001]}, 7, 0.01),
    ],
)
def test_each_schedule_gives_keras_the_learning_rate_it_names(schedule, step, expected) -> None:
    import keras

    keras_optimizer = keras.optimizers.get(optimizer(**schedule).keras_config())
    rate = keras_optimizer._learning_rate  # the schedule object Keras built
    assert float(rate(step)) == pytest.approx(expected, abs=1e-6)


def test_wrong_or_missing_schedule_arguments_are_named() -> None:
    with pytest.raises(ValidationError, match="'boundaries' is not an argument of schedule"):
        optimizer(name="exponential", decay_steps=5, decay_rate=0.5, boundaries=[1])
    with pytest.raises(ValidationError, match="schedule 'cosine' needs `decay_steps:`"):
        optimizer(name="cosine")
    with pytest.raises(ValidationError, match="one more entry than `boundaries`"):
        optimizer(name="piecewise", boundaries=[5], values=[0.1])
    with pytest.raises(ValidationError, match="Input should be 'exponential', 'cosine'"):
        optimizer(name="linear")
