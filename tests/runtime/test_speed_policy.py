"""`train.jit_compile: auto` per kind of model and device: the decision table, not timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcli.config.layers import LAYERS as REGISTRY
from dlcli.config.layers.registry import SPEED_KINDS
from dlcli.config.loader import load_config
from dlcli.runtime.speed_policy import (
    CPU_XLA,
    DENSE,
    KIND_LAYERS,
    MIN_STEPS_FOR_XLA,
    decide_xla,
    model_kind,
)
from tests.helpers.files import REPO, write

OUT = "\n    - Dense: {units: 1}"
LAYERS = {
    "dense": "- Dense: {units: 8, activation: relu}" + OUT,
    "convolution": "- Reshape: {target_shape: [4, 4, 1]}\n"
    "    - Conv2D: {filters: 2, kernel_size: 3}\n    - Flatten" + OUT,
    "recurrent": "- Reshape: {target_shape: [4, 4]}\n    - LSTM: {units: 4}" + OUT,
    "recurrent (GRU after Embedding)": "- Embedding: {input_dim: 10, output_dim: 2}\n"
    "    - GRU: {units: 4}" + OUT,
    "embedding": "- Embedding: {input_dim: 10, output_dim: 2}\n    - GlobalAveragePooling1D" + OUT,
}


def loaded(tmp_path: Path, layers: str, train: str = ""):
    text = (
        "data: {dataset: linear, linear: {samples: 64, features: 16, outputs: 1}}\n"
        f"model:\n  input_shape: [16]\n  layers:\n    {layers}\n"
        "compile: {loss: mse, optimizer: sgd}\n"
        f"train: {{epochs: 4, batch_size: 8{train}}}\n"
    )
    return load_config(write(tmp_path / "c.yaml", text)).config


@pytest.mark.parametrize("name", list(LAYERS))
def test_a_model_is_the_kind_of_its_slowest_under_xla_layer(tmp_path: Path, name: str) -> None:
    assert model_kind(loaded(tmp_path, LAYERS[name]).model) == name.split()[0]


def test_every_speed_kind_a_layer_may_have_is_decided_by_the_table() -> None:
    assert set(SPEED_KINDS) == set(CPU_XLA) == {*KIND_LAYERS, DENSE}
    assert {entry.speed for entry in REGISTRY.values()} == set(SPEED_KINDS)
    assert KIND_LAYERS["convolution"] == {"Conv1D", "Conv2D"}  # the registry's speed field


LONG = MIN_STEPS_FOR_XLA * 8 // 4 + 8  # samples for enough steps at batch 8, 4 epochs


@pytest.mark.parametrize(
    ("kind", "on"), [("dense", True), ("convolution", False), ("recurrent", False),
                     ("embedding", True)],  # fmt: skip
)
def test_on_a_cpu_xla_is_on_only_for_kinds_it_made_faster(
    tmp_path: Path, kind: str, on: bool
) -> None:
    cfg = loaded(tmp_path, LAYERS[kind])
    decision = decide_xla(cfg.train, cfg.model, "cpu", LONG)
    assert decision.on is on
    assert decision.kind == kind
    assert decision.reason.startswith(f"XLA {'on' if on else 'off'}: ")
    assert ("faster" if on else "slower") in decision.reason  # says what was measured


def test_a_dense_model_trained_too_briefly_to_repay_the_compile_runs_without_xla(
    tmp_path: Path,
) -> None:
    cfg = loaded(tmp_path, LAYERS["dense"])
    decision = decide_xla(cfg.train, cfg.model, "cpu", 64)  # 32 steps
    assert decision.on is False
    assert "32 training steps do not repay its compile" in decision.reason


@pytest.mark.parametrize("kind", ["dense", "convolution", "recurrent"])
def test_on_a_gpu_keras_decides_and_the_reason_says_it_was_not_measured(
    tmp_path: Path, kind: str
) -> None:
    cfg = loaded(tmp_path, LAYERS[kind])
    decision = decide_xla(cfg.train, cfg.model, "gpu (1: /physical_device:GPU:0)", LONG)
    assert decision.on is None  # Keras's own "auto"
    assert "no GPU measurements" in decision.reason


def test_on_jax_keras_keeps_compiling_every_step(tmp_path: Path) -> None:
    cfg = loaded(tmp_path, LAYERS["convolution"])
    decision = decide_xla(cfg.train, cfg.model, "cpu", LONG, backend="jax")
    assert decision.on is None
    assert "jax" in decision.reason


def test_an_explicit_setting_and_determinism_win_over_the_table(tmp_path: Path) -> None:
    forced = loaded(tmp_path, LAYERS["convolution"], ", jit_compile: true")
    assert decide_xla(forced.train, forced.model, "cpu", 64).on is True
    off = loaded(tmp_path, LAYERS["dense"], ", jit_compile: false")
    assert decide_xla(off.train, off.model, "cpu", LONG).on is False
    exact = loaded(tmp_path, LAYERS["dense"], ", deterministic: true")
    decision = decide_xla(exact.train, exact.model, "cpu", LONG)
    assert decision.on is False and "deterministic" in decision.reason


def test_the_shipped_cnn_example_trains_without_xla_on_a_cpu() -> None:
    cfg = load_config(REPO / "configs" / "mnist_cnn.yaml").config
    decision = decide_xla(cfg.train, cfg.model, "cpu", 54000)
    assert decision.on is False
    assert decision.reason.startswith("XLA off: convolution layers ran")


def test_every_benchmark_workload_is_a_valid_config_of_its_stated_kind(tmp_path: Path) -> None:
    import yaml

    from benchmarks.workloads import WORKLOADS

    for workload in WORKLOADS:
        path = tmp_path / f"{workload.name}.yaml"
        path.write_text(yaml.safe_dump(workload.config(tmp_path / "data.npz")), encoding="utf-8")
        assert model_kind(load_config(path).config.model) == workload.kind, workload.name


def test_convolution_models_evaluate_in_smaller_batches_unless_the_config_sets_one(
    tmp_path: Path,
) -> None:
    from dlcli.runtime.speed_policy import eval_batch_size

    conv = loaded(tmp_path, LAYERS["convolution"])
    assert eval_batch_size(conv.train, "convolution") == 128
    dense = loaded(tmp_path, LAYERS["dense"])
    assert eval_batch_size(dense.train, "dense") == 1024  # the schema's default
    chosen = loaded(tmp_path, LAYERS["convolution"], ", eval_batch_size: 1024")
    assert eval_batch_size(chosen.train, "convolution") == 1024  # the user's choice wins
