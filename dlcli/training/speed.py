"""The `train` settings that make training fast, turned into TensorFlow/Keras arguments.

The schema holds the settings (train.jit_compile, steps_per_execution, eval_batch_size,
precision, deterministic); this module turns them into Keras arguments. What
`jit_compile: auto` means per kind of model and device is decided in speed_policy.py,
from the benchmark matrix. TensorFlow and Keras are imported inside the functions only.
"""

from __future__ import annotations

from typing import Any

from dlcli.config.schema import TrainConfig
from dlcli.errors import DeviceError
from dlcli.training.speed_policy import XlaDecision


def xla_for_fit(model, decision: XlaDecision) -> bool:
    """Set the model's XLA for fit() as decided (speed_policy.decide_xla); return whether
    fit() compiles with it. `None` hands the choice to Keras (its "auto": on a GPU, on
    where the model supports it)."""
    model.jit_compile = decision.on
    return bool(model.jit_compile)


def compile_options(train: TrainConfig) -> dict[str, Any]:
    """Keyword arguments for model.compile(). XLA is not among them: the runner turns
    it on for fit() only (see `without_xla`)."""
    return {"jit_compile": False, "steps_per_execution": train.steps_per_execution}


def without_xla(model) -> None:
    """After fit(): the final evaluation and `dlcli evaluate`/`predict` on the saved
    model run a few batches each, where XLA's compile costs seconds and saves nothing
    (end-to-end +7 s on MNIST when it stayed on). The runner sets model.jit_compile
    for fit() only; the model is compiled, and saved, without it."""
    model.jit_compile = False
    model.test_function = None  # rebuilt without XLA by the next evaluate/predict
    model.predict_function = None


def fit_options(train: TrainConfig) -> dict[str, Any]:
    """Keyword arguments for model.fit() beyond the data and callbacks."""
    return {
        "epochs": train.epochs,
        "batch_size": train.batch_size,
        "shuffle": train.shuffle,
        "validation_batch_size": train.eval_batch_size,
    }


def configure_runtime(train: TrainConfig, device: str) -> None:
    """Process-wide state for this run, set before the model is built: the precision
    policy and op determinism. Both are reset when off, so one run in a process (a
    comparison, a test) never inherits the previous run's. Seeding stays with
    device.seed_everything (keras.utils.set_random_seed), which determinism needs."""
    import keras
    import tensorflow as tf

    if train.precision != "float32" and not device.startswith("gpu"):
        raise DeviceError(
            f"train.precision is {train.precision!r}, which only speeds up GPUs "
            "(on this CPU it would be slower, or not run at all); "
            "use precision: float32 here"
        )
    keras.mixed_precision.set_global_policy(train.precision)
    if train.deterministic:
        tf.config.experimental.enable_op_determinism()
    else:
        _disable_op_determinism()


def _disable_op_determinism() -> None:
    # TensorFlow has no public switch back; this is what enable_op_determinism sets.
    from tensorflow.python.framework import config as tf_config

    if tf_config.is_op_determinism_enabled():
        tf_config.disable_op_determinism()
