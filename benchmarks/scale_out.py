"""Backends and processes: `dlcli train` of the MNIST MLP on TensorFlow, on JAX, and on
JAX in two processes (`--processes 2`), alternating in one run.

Reported: steady-state samples/s (epochs after the first), end-to-end wall time, and
the training FLOP rate as a fraction of this machine's float32 matmul peak measured in
the same run. Two processes on one host share its cores: the 2-process row measures
what data-parallel costs here (collectives over loopback), not a speed-up; the gain
needs more cores or hosts than one process can use.

    python -m benchmarks.scale_out [--reps 2] [--epochs 3]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, check, child_env, median, run_child, table
from benchmarks.throughput import (
    CONFIG,
    FLOPS_PER_SAMPLE,
    matmul_gflops,
    matmul_peak_gflops,
    mnist_data,
)

CONTESTANTS = {
    "dlcli tensorflow": ["--backend", "tensorflow"],
    "dlcli jax": ["--backend", "jax"],
    "dlcli jax, 2 processes": ["--backend", "jax", "--processes", "2"],
}
EPOCH_LINE = re.compile(r"^epoch\s+\d+/\d+\s.*\((\d+(?:\.\d+)?)s\)\s*$", re.MULTILINE)


def run_contestant(name: str, data_set: list[str], epochs: int, scratch: Path) -> dict:
    result = scratch / "result.json"
    result.unlink(missing_ok=True)
    args = [str(REPO / "benchmarks" / "dlcli_child.py"), "train", str(CONFIG), *data_set]
    args += [*CONTESTANTS[name], "--set", f"train.epochs={epochs}"]
    args += ["--runs-dir", str(scratch / "runs")]
    run = run_child(args, child_env(DLCLI_BENCH_RESULT=str(result)))
    check(run, name)
    seconds = json.loads(result.read_text(encoding="utf-8"))["epoch_seconds"]
    if not seconds:  # with --processes the epochs run in the workers: read process 0's lines
        seconds = [float(s) for s in EPOCH_LINE.findall(run.stdout)]
    steady = median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    return {"epoch_seconds": seconds, "samples_per_s": 54000 / steady,
            "end_to_end_s": run.seconds}  # fmt: skip


def measure(reps: int, epochs: int) -> dict[str, Any]:
    peak = matmul_peak_gflops()
    runs: dict[str, list[dict]] = {name: [] for name in CONTESTANTS}
    with tempfile.TemporaryDirectory(prefix="dlcli-bench-") as folder:
        scratch = Path(folder)
        _, data_kind, data_set = mnist_data(scratch)
        for rep in range(reps):
            for name in CONTESTANTS:  # alternating, so load changes hit all alike
                runs[name].append(run_contestant(name, data_set, epochs, scratch))
                last = runs[name][-1]
                print(f"  rep {rep + 1}/{reps} {name}: {last['samples_per_s']:,.0f} samples/s, "
                      f"{last['end_to_end_s']:.1f} s", flush=True)  # fmt: skip
    summary = {}
    for name, r in runs.items():
        rate = median([x["samples_per_s"] for x in r])
        summary[name] = {
            "samples_per_s": rate,
            "end_to_end_s": median([x["end_to_end_s"] for x in r]),
            "gflops": rate * FLOPS_PER_SAMPLE / 1e9,
            "fraction_of_peak": rate * FLOPS_PER_SAMPLE / 1e9 / peak,
        }
    return {"data": data_kind, "epochs": epochs, "reps": reps, "matmul_peak_gflops": peak,
            "matmul_128x784x512_gflops": matmul_gflops(128, 784, 512),
            "summary": summary, "runs": runs}  # fmt: skip


def report(results: dict[str, Any]) -> str:
    base = results["summary"]["dlcli tensorflow"]
    rows = [
        [name, s["samples_per_s"], f"{s['samples_per_s'] / base['samples_per_s']:.2f}x",
         s["end_to_end_s"], f"{s['end_to_end_s'] / base['end_to_end_s']:.2f}x",
         f"{s['gflops']:.1f} ({100 * s['fraction_of_peak']:.0f} %)"]
        for name, s in results["summary"].items()
    ]  # fmt: skip
    header = ["", "samples/s", "vs TF", "end-to-end s", "vs TF", "GFLOP/s (of peak)"]
    title = (
        f"backends and processes: {results['data']}, {results['epochs']} epochs, median of "
        f"{results['reps']} alternating runs; float32 matmul peak "
        f"{results['matmul_peak_gflops']:.1f} GFLOP/s; two processes share the same 2 cores"
    )
    return table(title, header, rows)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    options = parser.parse_args()
    results = measure(options.reps, options.epochs)
    print(report(results))
    return results


if __name__ == "__main__":
    from benchmarks.common import write_results

    print(write_results("scale_out", main()))
