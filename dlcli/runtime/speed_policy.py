"""What `train.jit_compile: auto` means, per kind of model and device, decided by measurement.

The one table of speed decisions. Each entry says which benchmark gives its ratio
(`make bench` runs them; benchmarks/matrix.py is the matrix); docs/performance-matrix.md
has the tables. A kind
or device that was not measured gets Keras's own default, never a guess. No TensorFlow
here: the decision is made from the config, and recorded in env.json and summary.txt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dlcli.config.layers import LAYERS, layer_type
from dlcli.config.schema import ModelConfig, TrainConfig

# A model's kind is that of its slowest-under-XLA layer: the first kind here that it uses.
# Each layer's kind is its registry entry's `speed`.
SLOWEST_FIRST = ("recurrent", "convolution", "embedding")
KIND_LAYERS: dict[str, frozenset[str]] = {
    kind: frozenset(name for name, entry in LAYERS.items() if entry.speed == kind)
    for kind in SLOWEST_FIRST
}
DENSE = "dense"  # every other layer: Dense, Dropout, norms, pooling

# XLA on a CPU: steady-state samples/s with it over without it, on 2 Xeon cores.
# docs/performance-matrix.md has the tables.
# - dense: 1.28x, dlcli's fit of the MNIST MLP (32 steps per execution), medians of 7 runs
#   of `python -m benchmarks.profile_step` (24 650 -> 31 450 samples/s). The matrix's MLP
#   row (`python -m benchmarks.matrix --only mlp`, 2 runs) gives 0.90x, within its noise.
# - convolution: 0.2x, a plain Keras script of the CNN of configs/mnist_cnn.yaml (epochs
#   of 48-49 s with XLA against 9-11 s without); the matrix's CNN row
#   (`--only cnn`, 1 run each) gives 0.05x for dlcli and 0.08x for the plain script.
# - recurrent: 0.405x, a plain Keras LSTM(64) on 20 000 sequences of 50 steps (7.4 s
#   against 3.0 s per epoch); the matrix's plain-script LSTM pair gives 0.33x.
# - embedding: 2.06x for dlcli (median of 2 runs with XLA against 4 without) and 1.49x for
#   the plain script, the matrix's embedding row (`--only embedding`, Embedding + average
#   pooling): faster in both pairs, on few runs.
CPU_XLA: dict[str, tuple[bool, str]] = {
    "dense": (True, "dense layers ran {gain} faster with it on this CPU"),
    "convolution": (False, "convolution layers ran {gain} slower with it on this CPU"),
    "recurrent": (False, "recurrent layers ran {gain} slower with it on this CPU"),
    "embedding": (True, "an Embedding model ran {gain} faster with it on this CPU"),
}
CPU_XLA_MEASURED: dict[str, float] = {  # with XLA / without, as listed above
    "dense": 1.28,
    "convolution": 0.2,
    "recurrent": 0.405,
    "embedding": 2.06,
}

# Evaluation batch (validation, final evaluation) per kind, where the config leaves
# train.eval_batch_size at its default (1024). Evaluating the 10 000 MNIST test images on
# the CNN (steps_per_execution 32, 2 cores, medians of 3 in turn): 3.5 s at batch 128,
# 4.2 s at 32, 11.7 s at 1024; the LSTM: 2.1 s at 1024, 3.1-3.2 s at 32 and 128.
# `python -m benchmarks.profile_model --workloads cnn,lstm` times the final evaluation at
# the run's batch against Keras's 32. Large convolution batches run slower on this CPU
# (oneDNN), so 128 there.
EVAL_BATCH: dict[str, int] = {"convolution": 128}

# XLA compiles the train step once (2-4 s on 2 CPU cores for the MNIST MLP): below
# about this many steps in all, even a kind that runs faster with it does not repay it.
MIN_STEPS_FOR_XLA = 1000


@dataclass(frozen=True)
class XlaDecision:
    """Whether fit() runs under XLA, and why, in words a user can act on."""

    on: bool | None  # None: Keras's own default decides (a GPU)
    reason: str
    kind: str


def model_kind(model: ModelConfig) -> str:
    """dense, convolution, recurrent or embedding: what decides the XLA default."""
    items = [*(model.layers or []), *(node.layer for node in model.nodes or []),
             *(model.generator or []), *(model.discriminator or [])]  # fmt: skip
    used = {layer_type(item) for item in items}
    return next((kind for kind, names in KIND_LAYERS.items() if used & names), DENSE)


def decide_xla(
    train: TrainConfig,
    model: ModelConfig,
    device: str,
    train_samples: int,
    backend: str = "tensorflow",
) -> XlaDecision:
    """train.jit_compile resolved for this model on `device` ("cpu" or "gpu ...") and
    Keras `backend`."""
    kind = model_kind(model)
    auto = train.jit_compile is not True and train.jit_compile is not False
    if auto and backend != "tensorflow":
        # The matrix measured TensorFlow only; JAX compiles every step with jax.jit
        # under Keras's default, and turning that off would run it op by op.
        reason = f"XLA as Keras decides with the {backend} backend (JAX: always jax.jit)"
        return XlaDecision(None, reason, kind)
    if auto:
        return _auto(train, kind, device, train_samples)
    word = "on" if train.jit_compile else "off"
    return XlaDecision(bool(train.jit_compile), f"XLA {word}: train.jit_compile is {word}", kind)


def _auto(train: TrainConfig, kind: str, device: str, train_samples: int) -> XlaDecision:
    if train.deterministic:
        reason = "XLA off: train.deterministic (TensorFlow's op determinism does not cover XLA)"
        return XlaDecision(False, reason, kind)
    if device != "cpu":
        reason = (
            "XLA as Keras decides on a GPU (on where the model supports it): "
            "dlcli has no GPU measurements to decide from"
        )
        return XlaDecision(None, reason, kind)
    on, words = CPU_XLA[kind]
    gain = CPU_XLA_MEASURED[kind]
    measured = words.format(gain=f"{gain:.1f}x" if on else f"{1 / gain:.1f}x")
    if not on:
        return XlaDecision(False, f"XLA off: {measured}", kind)
    steps = math.ceil(train_samples / train.batch_size) * train.epochs
    if steps < MIN_STEPS_FOR_XLA:
        reason = (
            f"XLA off: {measured}, but {steps} training steps do not repay its compile "
            f"(it pays from about {MIN_STEPS_FOR_XLA})"
        )
        return XlaDecision(False, reason, kind)
    return XlaDecision(True, f"XLA on: {measured}", kind)


def eval_batch_size(train: TrainConfig, kind: str) -> int:
    """The batch for validation and the final evaluation: the config's when it sets one,
    else the measured best for this kind of model (EVAL_BATCH), else the default."""
    if "eval_batch_size" in train.model_fields_set:
        return train.eval_batch_size
    return EVAL_BATCH.get(kind, train.eval_batch_size)


def speed_facts(train: TrainConfig, decision: XlaDecision, xla_on: bool) -> dict:
    """What env.json records about the speed settings of a run."""
    return {
        "model_kind": decision.kind,
        "xla": xla_on,
        "xla_reason": decision.reason,
        "steps_per_execution": train.steps_per_execution,
        "eval_batch_size": eval_batch_size(train, decision.kind),
    }


def speed_summary(facts: dict) -> str:
    """The lines summary.txt ends with: how this run was made fast, and why."""
    return (
        f"\n\nSpeed ({facts['model_kind']} model): {facts['xla_reason']}\n"
        f"steps per execution {facts['steps_per_execution']}, "
        f"evaluation batch {facts['eval_batch_size']}\n"
    )
