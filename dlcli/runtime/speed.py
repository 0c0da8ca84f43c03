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
from dlcli.runtime.speed_policy import XlaDecision


def xla_for_fit(model, decision: XlaDecision) -> bool:
    """Set the model's XLA for fit() as decided (speed_policy.decide_xla); return whether
    fit() compiles with it. `None` hands the choice to Keras (its "auto": on a GPU, on
    where the model supports it)."""
    model.jit_compile = decision.on
    return bool(model.jit_compile)


def compile_options(train: TrainConfig) -> dict[str, Any]:
    """Keyword arguments for model.compile(). XLA is not among them: the runner turns
    it on for fit() only (see `without_xla`)."""
    steps = train.steps_per_execution
    if train.distribute == "mirrored" and train.backend == "tensorflow":
        # Keras 3's multi-step loop under MirroredStrategy fails here (TF 2.21: "Graph
        # execution error" at while/cond/Placeholder): one step per call.
        steps = 1
    return {"jit_compile": False, "steps_per_execution": steps}


def without_xla(model) -> None:
    """After fit(): the final evaluation and `dlcli evaluate`/`predict` on the saved
    model run a few batches each, where XLA's compile costs seconds and saves nothing
    (end-to-end +7 s on MNIST when it stayed on). The runner sets model.jit_compile
    for fit() only; the model is compiled, and saved, without it."""
    model.jit_compile = False
    model.test_function = None  # rebuilt without XLA by the next evaluate/predict
    model.predict_function = None


def fit_options(train: TrainConfig, processes: int = 1) -> dict[str, Any]:
    """Keyword arguments for model.fit() beyond the data and callbacks. In a job of
    several processes each feeds its share of every (global) batch."""
    return {
        "epochs": train.epochs,
        "batch_size": train.batch_size // processes,
        "shuffle": train.shuffle,
        "validation_batch_size": max(train.eval_batch_size // processes, 1),
    }


def configure_runtime(train: TrainConfig, device: str) -> None:
    """Process-wide state for this run, set before the model is built: the precision
    policy and op determinism. Both are reset when off, so one run in a process (a
    comparison, a test) never inherits the previous run's. Seeding stays with
    device.seed_everything (keras.utils.set_random_seed), which determinism needs."""
    from dlcli.runtime.backend import set_determinism
    from dlcli.runtime.bootstrap import import_keras

    keras = import_keras()
    if train.precision != "float32" and not device.startswith("gpu"):
        raise DeviceError(
            f"train.precision is {train.precision!r}, which only speeds up GPUs "
            "(on this CPU it would be slower, or not run at all); "
            "use precision: float32 here"
        )
    keras.mixed_precision.set_global_policy(train.precision)
    set_determinism(train.deterministic, device)


def set_xla(
    loaded, model, device: str, train_samples: int, fixed: XlaDecision | None = None
) -> dict:
    """Decide XLA for fit() and the evaluation batch (speed_policy) and set XLA on the
    model; return env.json's `speed` facts, whose `eval_batch_size` the caller records in
    the run's config. `fixed`: the decision the model's kind imposes whatever the
    settings (ModelKind.xla_decision: a GAN's two-optimizer step stays without XLA);
    None: the policy decides."""
    from dlcli.runtime.speed_policy import decide_xla, speed_facts

    cfg = loaded.config
    decision = fixed or decide_xla(cfg.train, cfg.model, device, train_samples, cfg.train.backend)
    return speed_facts(cfg.train, decision, xla_for_fit(model, decision))
