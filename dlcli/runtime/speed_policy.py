"""What `train.jit_compile: auto` means, per kind of model and device, decided by measurement.

The one table of speed decisions. Each entry says what `make bench` (benchmarks/matrix.py)
measured for that kind of model; docs/performance-matrix.md has the full matrix. A kind
or device that was not measured gets Keras's own default, never a guess. No TensorFlow
here: the decision is made from the config, and recorded in env.json and summary.txt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dlcli.config.layers import layer_type
from dlcli.config.schema import ModelConfig, TrainConfig

# A model's kind is that of its slowest-under-XLA layer: the first kind here that it uses.
KIND_LAYERS: dict[str, frozenset[str]] = {
    "recurrent": frozenset({"SimpleRNN", "LSTM", "GRU"}),
    "convolution": frozenset({"Conv1D", "Conv2D"}),
    "embedding": frozenset({"Embedding"}),
}
DENSE = "dense"  # everything else the layer allow-list holds: Dense, Dropout, norms, pooling

# XLA on a CPU: steady-state samples/s with it over without it, dlcli's fit (32 steps per
# execution). docs/performance-matrix.md has the runs; all on 2 Xeon cores.
# - dense: 1.28x, benchmarks/profile_step.py, medians of 7 runs on 2026-11-22 (MNIST MLP,
#   24 650 -> 31 450 samples/s). The matrix on 2026-11-23, at load 15-22 with 2 runs,
#   gave 0.90x (MLP), within that run's noise.
# - convolution: 0.2x in issue 15's runs (epochs of 48-49 s against 9-11 s), and 0.03x
#   (dlcli) or 0.08x (plain script) in the matrix of 2026-11-23 (CNN, 1 run each).
# - recurrent: 0.405x in issue 15's runs (LSTM(64): 7.4 s against 3.0 s per epoch).
# - embedding: 2.06x (dlcli: median of 2 runs with XLA against 4 without) and 1.49x
#   (plain script) in the matrix of 2026-11-23 (Embedding + average pooling): faster in
#   both pairs, on few runs at high load.
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
# the CNN (steps_per_execution 32, 2 loaded cores, medians of 3 in turn, 2026-11-23):
# 3.5 s at batch 128, 4.2 s at 32, 11.7 s at 1024; the LSTM: 2.1 s at 1024, 3.1-3.2 s at
# 32 and 128. Large convolution batches run slower on this CPU (oneDNN), so 128 there.
EVAL_BATCH: dict[str, int] = {"convolution": 128}

# XLA compiles the train step once (2-4 s on 2 idle CPU cores for the MNIST MLP): below
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
