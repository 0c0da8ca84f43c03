"""Training throughput: the plain Keras script vs `dlcli train`, alternating.

Contestants, each in a fresh process per repetition, in turn: (a) the plain
script (plain_keras.py), (b) `dlcli train` with dlcli's defaults, (c) `dlcli train`
with those defaults switched off to match the script (no XLA, one step per
execution, evaluation batch 128), and with --deterministic (d) dlcli's defaults plus
train.deterministic.
Reported: steady-state samples/s (epochs after the first), end-to-end wall time,
peak resident memory, and the training FLOP rate as a fraction of this machine's
float32 matrix-multiply peak, measured in the same run.

    python -m benchmarks.throughput [--reps 3] [--epochs 3] [--deterministic]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import REPO, check, child_env, median, run_child, table

CONFIG = REPO / "benchmarks" / "mnist_mlp.yaml"
# Training FLOPs per sample of 784 -> 512 -> 10: forward 2·in·out per Dense layer,
# backward 2·in·out for the weight gradient plus 2·in·out for the input gradient
# (not needed for the first layer, whose input is the data). Biases, activations and
# the optimizer's update are < 1 % and left out.
FLOPS_PER_SAMPLE = 4 * 784 * 512 + 6 * 512 * 10
MATCH_SCRIPT = [
    "--set",
    "train.jit_compile=false",
    "--set",
    "train.steps_per_execution=1",
    "--set",
    "train.eval_batch_size=128",
]
DETERMINISTIC = ["--set", "train.deterministic=true"]  # (which turns XLA off)
CONTESTANTS = ("plain script", "dlcli defaults", "dlcli as script")
# Opt-in (--deterministic): a fourth contestant makes `make bench` too long for 10 minutes.
DETERMINISTIC_CONTESTANT = "dlcli deterministic"


def matmul_gflops(m: int, k: int, n: int, seconds: float = 1.0) -> float:
    """Best float32 rate of an (m×k)·(k×n) matmul on this machine (numpy's BLAS, all
    cores), timing batches of calls for about `seconds`."""
    rng = np.random.default_rng(0)
    a = rng.random((m, k), dtype=np.float32)
    b = rng.random((k, n), dtype=np.float32)
    a @ b  # warm up the BLAS threads
    calls = max(1, int(2e8 / (2 * m * k * n)))  # ~0.2 GFLOP per timing
    best, deadline = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        for _ in range(calls):
            a @ b
        best = min(best, (time.perf_counter() - started) / calls)
    return 2 * m * k * n / best / 1e9


def matmul_peak_gflops() -> float:
    """This machine's float32 matmul peak: the best of square products of a few sizes
    (under load from other processes a large product loses most, so take the best)."""
    return max(matmul_gflops(n, n, n) for n in (512, 1024, 2048))


def mnist_data(scratch: Path) -> tuple[Path, str, list[str]]:
    """Real MNIST from DLCLI_DATA_DIR when it is there, else MNIST-shaped random data.
    Returns the npz both contestants read, what it is, and dlcli's --set for it."""
    folder = os.environ.get("DLCLI_DATA_DIR")
    if folder and (Path(folder) / "mnist.npz").is_file():
        return (Path(folder) / "mnist.npz").resolve(), "real MNIST (DLCLI_DATA_DIR)", []
    rng = np.random.default_rng(0)
    path = scratch / "random_mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 60000, dtype=np.uint8),
        x_test=rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 10000, dtype=np.uint8),
    )
    overrides = ["--set", "data.dataset=npz", "--set", f"data.path={path}"]
    return path, "MNIST-shaped random data (no mnist.npz in DLCLI_DATA_DIR)", overrides


def run_contestant(name: str, data: Path, dlcli_set: list[str], epochs: int, scratch: Path):
    result = scratch / "result.json"
    result.unlink(missing_ok=True)
    if name == "plain script":
        args = [str(REPO / "benchmarks" / "plain_keras.py"), str(data), str(epochs), str(result)]
        env = child_env()
    else:
        args = [str(REPO / "benchmarks" / "dlcli_child.py"), "train", str(CONFIG), *dlcli_set]
        args += ["--set", f"train.epochs={epochs}", "--runs-dir", str(scratch / "runs")]
        args += MATCH_SCRIPT if name == "dlcli as script" else []
        args += DETERMINISTIC if name == "dlcli deterministic" else []
        env = child_env(DLCLI_BENCH_RESULT=str(result))
    run = run_child(args, env)
    check(run, name)
    seconds = json.loads(result.read_text(encoding="utf-8"))["epoch_seconds"]
    steady = median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    return {
        "epoch_seconds": seconds,
        "samples_per_s": 60000 / steady,
        "end_to_end_s": run.seconds,
        "peak_rss_mb": run.peak_rss_mb,
    }


def measure(reps: int, epochs: int, deterministic: bool = False) -> dict[str, Any]:
    contestants = CONTESTANTS + ((DETERMINISTIC_CONTESTANT,) if deterministic else ())
    peak = matmul_peak_gflops()
    # The largest product of one training step at batch 128: what small shapes reach.
    step_matmul = matmul_gflops(128, 784, 512)
    runs: dict[str, list[dict]] = {name: [] for name in contestants}
    with tempfile.TemporaryDirectory(prefix="dlcli-bench-") as folder:
        scratch = Path(folder)
        data, data_kind, dlcli_set = mnist_data(scratch)
        for rep in range(reps):
            for name in contestants:  # alternating, so load changes hit all alike
                runs[name].append(run_contestant(name, data, dlcli_set, epochs, scratch))
                print(f"  rep {rep + 1}/{reps} {name}: {_brief(runs[name][-1])}", flush=True)
    summary = {name: _summarize(r, peak) for name, r in runs.items()}
    return {
        "data": data_kind,
        "epochs": epochs,
        "reps": reps,
        "matmul_peak_gflops": peak,
        "matmul_128x784x512_gflops": step_matmul,
        "flops_per_sample": FLOPS_PER_SAMPLE,
        "summary": summary,
        "runs": runs,
    }


def _brief(run: dict) -> str:
    return (
        f"{run['samples_per_s']:,.0f} samples/s, {run['end_to_end_s']:.1f} s, "
        f"{run['peak_rss_mb']:.0f} MB"
    )


def _summarize(runs: list[dict], peak_gflops: float) -> dict[str, float]:
    samples_per_s = median([r["samples_per_s"] for r in runs])
    return {
        "samples_per_s": samples_per_s,
        "end_to_end_s": median([r["end_to_end_s"] for r in runs]),
        "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
        "gflops": samples_per_s * FLOPS_PER_SAMPLE / 1e9,
        "fraction_of_peak": samples_per_s * FLOPS_PER_SAMPLE / 1e9 / peak_gflops,
    }


def report(results: dict[str, Any]) -> str:
    base = results["summary"]["plain script"]
    rows = []
    for name, s in results["summary"].items():
        rows.append(
            [
                name,
                s["samples_per_s"],
                f"{s['samples_per_s'] / base['samples_per_s']:.2f}x",
                s["end_to_end_s"],
                f"{s['end_to_end_s'] / base['end_to_end_s']:.2f}x",
                s["peak_rss_mb"],
                f"{s['peak_rss_mb'] / base['peak_rss_mb']:.2f}x",
                f"{s['gflops']:.1f} ({100 * s['fraction_of_peak']:.0f} %)",
            ]
        )
    header = ["", "samples/s", "vs script", "end-to-end s", "vs script", "peak MB"]
    header += ["vs script", "GFLOP/s (of peak)"]
    title = (
        f"throughput: {results['data']}, {results['epochs']} epochs, median of "
        f"{results['reps']} alternating runs; float32 matmul peak "
        f"{results['matmul_peak_gflops']:.1f} GFLOP/s (at the batch-128 shape "
        f"128x784x512: {results['matmul_128x784x512_gflops']:.1f})"
    )
    return table(title, header, rows)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--deterministic", action="store_true", help="add train.deterministic")
    options = parser.parse_args()
    results = measure(options.reps, options.epochs, options.deterministic)
    print(report(results))
    return results


if __name__ == "__main__":
    main()
