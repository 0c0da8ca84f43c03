"""The GPU benchmark's dry run (`python -m benchmarks.gpu --dry-run`), for real: a
TensorFlow and a JAX case train on a real-MNIST subset, a mixed precision is refused by
dlcli on the CPU, and the JSON and the Markdown table hold every case with its numbers
or the stated reason. On a CPU-only machine it also checks the "no GPU seen" line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.gpu import NO_GPU
from benchmarks.gpu_case import gpus
from tests.training.test_resume import offline_env

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
        assert 0.5 < trained["test_accuracy"] <= 1  # 461 samples, 2 epochs: ~0.7
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
