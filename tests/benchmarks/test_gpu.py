"""The GPU benchmark (`python -m benchmarks.gpu`) without a GPU: its dry run for real (a
TensorFlow and a JAX case train on a real-MNIST subset, a mixed precision is refused by
dlcli on the CPU; the JSON and the Markdown table hold every case with its numbers or the
stated reason; on a CPU-only machine it says no GPU was seen), its budget and its limits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.common import run_child
from benchmarks.gpu import NO_GPU
from benchmarks.gpu_case import gpus, not_measured
from tests.helpers.processes import offline_env

REPO = Path(__file__).resolve().parents[2]
# Two float32 cases that train, two that the CPU refuses; generous limits, so a loaded
# machine slows the test rather than cuts a case.
SUBSET = ["--configs", "mnist_mlp", "--precisions", "float32,mixed_bfloat16", "--no-mirrored"]
LIMITS = ["--case-timeout", "240", "--budget", "400"]


def test_the_dry_run_measures_or_explains_every_case(mnist_dir: Path, tmp_path: Path):
    env = offline_env(tmp_path)
    env.update(DLCLI_DATA_DIR=str(mnist_dir), DLCLI_BENCH_RESULTS_DIR=str(tmp_path / "results"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "benchmarks.gpu", "--dry-run", "--out", str(out)]
    done = subprocess.run([*command, *SUBSET, *LIMITS], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    if not gpus():
        assert done.stdout.startswith(NO_GPU)
    results = json.loads((out / "gpu.json").read_text(encoding="utf-8"))
    assert results["dry_run"] is True
    cases = {case["case"]: case for case in results["cases"]}
    assert sorted(cases) == sorted(
        f"mnist_mlp {backend} {precision}"
        for backend in ("tensorflow", "jax")
        for precision in ("float32", "mixed_bfloat16")
    )
    for backend in ("tensorflow", "jax"):
        trained = cases[f"mnist_mlp {backend} float32"]
        assert trained["status"] == "measured", trained
        assert trained["samples_per_s"] > 0 and trained["end_to_end_s"] > 0
        assert 0.5 < trained["test_accuracy"] <= 1  # 576 samples, 2 epochs: ~0.7
        assert len(trained["epoch_seconds"]) == 2 and trained["device"] == "cpu"
        assert str(mnist_dir / "mnist.npz") in trained["data_source"]  # read, not downloaded
        refused = cases[f"mnist_mlp {backend} mixed_bfloat16"]
        assert refused["status"] == "skipped"
        assert "only speeds up GPUs" in refused["reason"]  # dlcli's own message
    table = (out / "gpu.md").read_text(encoding="utf-8")
    assert "dry run on the CPU" in table.splitlines()[0]
    rows = [line for line in table.splitlines() if line.startswith("| mnist_mlp")]
    assert len(rows) == 4
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        case = cases[cells[0]]
        if case["status"] == "measured":
            assert cells[2] == f"{case['samples_per_s']:,.0f}"
            assert cells[4] == f"{case['test_accuracy']:.4f}"
        else:
            assert cells[-1] == case["reason"]
    assert (tmp_path / "results" / "gpu-latest.json").is_file()
    assert (tmp_path / "results" / "gpu-latest.md").read_text(encoding="utf-8") == table


def test_a_spent_budget_cuts_the_cases_and_says_so(mnist_dir: Path, tmp_path: Path):
    """A budget below one case's minimum starts none: each case is listed as cut."""
    env = offline_env(tmp_path)
    env.update(DLCLI_DATA_DIR=str(mnist_dir), DLCLI_BENCH_RESULTS_DIR=str(tmp_path / "results"))
    command = [sys.executable, "-m", "benchmarks.gpu", "--dry-run", "--budget", "1"]
    done = subprocess.run([*command, "--out", str(tmp_path)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    cases = json.loads((tmp_path / "gpu.json").read_text(encoding="utf-8"))["cases"]
    assert len(cases) == 14  # 2 configs x 2 backends x 3 precisions, and 2 mirrored
    assert {case["status"] for case in cases} == {"cut"}
    assert all("budget of 1 s was spent" in case["reason"] for case in cases)


def test_a_child_past_its_limit_is_killed_and_marked():
    run = run_child(["-c", "import time; time.sleep(60)"], timeout=1)
    assert run.timed_out and run.seconds < 30
    assert not run_child(["-c", "pass"], timeout=30).timed_out


@pytest.mark.parametrize(
    ("output", "run_started", "status"),
    [
        ("error: train.precision is 'mixed_float16', which only speeds up GPUs\n", False,
         "skipped"),
        ("error: training failed: Inputs to operation AddN must have the same size\n", True,
         "failed"),
        ("Traceback (most recent call last):\n  ...\nerror: no\n", False, "failed"),
        ("Killed\n", False, "failed"),
    ],
)  # fmt: skip
def test_only_a_refusal_before_the_run_counts_as_skipped(output, run_started, status):
    """dlcli refusing a case is a skip with its reason; a run that failed is a failure."""
    record = not_measured(1, output, run_started)
    assert record["status"] == status
    if status == "skipped":
        assert record["reason"].startswith("train.precision is 'mixed_float16'")
