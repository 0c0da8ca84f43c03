"""`make bench-gpu`: dlcli on the machine's first GPU — MNIST MLP and CNN, TensorFlow and
JAX, float32 against mixed_float16 and mixed_bfloat16, plus train.distribute: mirrored on
two GPUs where there are several.

Each case is `dlcli train configs/<config>.yaml --backend ... --set train.precision=...`
in a fresh process (benchmarks/gpu_case.py), bounded by a per-case limit and a total
budget (cases cut or never started are reported as cut). Measured per case:
steady-state samples/s (epochs after the first), end-to-end seconds, test accuracy, the
allocator's peak GPU memory and nvidia-smi's memory used; with the GPU's name and driver.
Where no GPU is seen (no nvidia-smi, or it lists none), or with --dry-run, the same
cases run on the CPU at a tiny size, and the precisions the CPU refuses are reported as
skipped with dlcli's reason. Real MNIST is read from DLCLI_DATA_DIR (default
../shared/data), never downloaded. Writes benchmarks/results/gpu-<stamp>.json and .md
(and gpu.json, gpu.md in --out DIR).

    python -m benchmarks.gpu [--dry-run] [--out DIR] [--epochs N] [--case-timeout S]
                             [--budget S] [--configs mnist_mlp,mnist_cnn]
                             [--backends tensorflow,jax] [--precisions float32,...]
                             [--no-mirrored]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, child_env, machine, write_results
from benchmarks.gpu_case import Case, Size, gpus, run_case

CONFIGS = ("mnist_mlp", "mnist_cnn")
BACKENDS = ("tensorflow", "jax")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
MIRRORED_CONFIG = "mnist_cnn"  # the config trained mirrored, where it is among --configs
# On a GPU: 12 single-GPU cases at ~20-30 s each (start-up and compile dominate) fit the
# 8 minutes with room; a case that hangs is cut at its limit.
GPU = {"epochs": 3, "case_timeout": 100.0, "budget": 450.0}
# The dry run on 2 CPU cores, two cases at a time: 5-10 s per refused case (the backend's
# import), 10-15 s per trained one.
DRY = {"epochs": 2, "case_timeout": 60.0, "budget": 110.0}
# 576 training, 64 validation and 256 test samples: each split's last batch divides
# evenly over two devices, which mirrored needs (docs/scaling-out.md).
DRY_SAMPLES = ["--set", "data.train_samples=640", "--set", "data.test_samples=256"]
MIN_CASE_S = 10  # a case is not started with less of the budget left
NO_GPU = "no GPU seen: dry run on the CPU"


def plan(options: argparse.Namespace) -> list[Case]:
    """The cases in the order they run: float32 first, so a budget cut takes the
    mixed-precision and mirrored cases before the baselines."""
    configs, backends = _names(options.configs), _names(options.backends)
    cases = [
        Case(config, backend, precision)
        for precision in _names(options.precisions)
        for config in configs
        for backend in backends
    ]
    if options.mirrored:
        mirrored = MIRRORED_CONFIG if MIRRORED_CONFIG in configs else configs[0]
        cases += [Case(mirrored, backend, "float32", devices=2) for backend in backends]
    return cases


def _names(text: str) -> list[str]:
    return [name for name in text.split(",") if name]


def data_dir() -> Path:
    """The folder with the real mnist.npz; the benchmark refuses to run without it
    rather than let Keras download MNIST."""
    folder = Path(os.environ.get("DLCLI_DATA_DIR") or REPO.parent / "shared" / "data")
    if not (folder / "mnist.npz").is_file():
        raise SystemExit(
            f"benchmark: no mnist.npz in {folder}; set DLCLI_DATA_DIR to a folder holding "
            "the real MNIST (mnist.npz). The GPU benchmark never downloads it."
        )
    return folder.resolve()


def measure(cases: list[Case], size: Size, limits: dict[str, float], jobs: int) -> list:
    """Run the cases within the budget, `jobs` at a time (one on a GPU), printing a line
    per case as it ends; the results in the cases' order."""
    env = child_env(DLCLI_DATA_DIR=str(data_dir()))
    deadline = time.perf_counter() + limits["budget"]
    with (
        tempfile.TemporaryDirectory(prefix="dlcli-bench-gpu-") as folder,
        ThreadPoolExecutor(jobs) as pool,
    ):
        scratch = Path(folder)
        futures = {
            pool.submit(_run_or_skip, case, size, limits, deadline, scratch, env): number
            for number, case in enumerate(cases, 1)
        }
        for future in as_completed(futures):
            result = future.result()
            print(f"  {futures[future]}/{len(cases)} {result['case']}: {brief(result)}",
                  flush=True)  # fmt: skip
        return [future.result() for future in futures]


def _run_or_skip(case: Case, size: Size, limits: dict, deadline: float, scratch: Path, env: dict):
    if size.on_gpu and case.devices > size.gpu_count:
        reason = f"{size.gpu_count} GPU(s) seen; this case needs {case.devices}"
        return {"case": case.name, "status": "skipped", "reason": reason}
    left = deadline - time.perf_counter()
    if left < MIN_CASE_S:
        reason = f"not started: the total budget of {limits['budget']:.0f} s was spent"
        return {"case": case.name, "status": "cut", "reason": reason}
    try:
        return run_case(case, size, scratch, min(limits["case_timeout"], left), env)
    except Exception as error:  # one broken case must not lose the others' results
        return {"case": case.name, "status": "failed", "reason": f"{type(error).__name__}: {error}"}


def brief(result: dict[str, Any]) -> str:
    if result["status"] != "measured":
        return f"{result['status']}: {result['reason']}"
    memory = ", ".join(f"{mb:,.0f}" for mb in result["gpu_peak_mb"]) or "-"
    return (
        f"{result['samples_per_s']:,.0f} samples/s, {result['end_to_end_s']:.1f} s, "
        f"test accuracy {result['test_accuracy']:.4f}, peak GPU MB {memory}, "
        f"on {result['device']}"
    )


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table, with what they were measured on above it."""
    header = ["case", "status", "samples/s", "end-to-end s", "test accuracy"]
    header += ["peak GPU MB (allocator)", "GPU MB used (nvidia-smi)", "peak RSS MB", "note"]
    lines = [f"**{results['title']}**", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + " --- |" * len(header))
    for r in results["cases"]:
        if r["status"] == "measured":
            numbers = [f"{r['samples_per_s']:,.0f}", f"{r['end_to_end_s']:.1f}",
                       f"{r['test_accuracy']:.4f}", _mbs(r.get("gpu_peak_mb")),
                       _mbs(r.get("device_memory_used_mb")), f"{r['peak_rss_mb']:,.0f}",
                       f"on {r['device']}"]  # fmt: skip
        else:
            numbers = ["-"] * 6 + [r["reason"].replace("|", "/")]
        lines.append("| " + " | ".join([r["case"], r["status"], *numbers]) + " |")
    return "\n".join(lines) + "\n"


def _mbs(values: list[float] | None) -> str:
    return " / ".join(f"{mb:,.0f}" for mb in values) if values else "-"


def title(found: list[dict], size: Size, dry_reason: str | None) -> str:
    if dry_reason:
        return f"{dry_reason}: {size.epochs} epochs of a 640-sample MNIST subset per case"
    first = found[0]
    return (
        f"dlcli on {first['name']} (driver {first['driver']}, {first['memory_mb']:,.0f} MB; "
        f"{len(found)} GPU(s) seen): {size.epochs} epochs of MNIST per case"
    )


def write(results: dict[str, Any], out: Path | None) -> list[Path]:
    """benchmarks/results/gpu-<stamp>.json and .md (and -latest), and in `out` gpu.json
    and gpu.md."""
    path = write_results("gpu", results)
    table = markdown(results)
    written = [path, path.with_suffix(".md")]
    written[1].write_text(table, encoding="utf-8")
    (path.parent / "gpu-latest.md").write_text(table, encoding="utf-8")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "gpu.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        (out / "gpu.md").write_text(table, encoding="utf-8")
        written += [out / "gpu.json", out / "gpu.md"]
    return written


def options_from(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="tiny cases on the CPU")
    parser.add_argument("--out", type=Path, help="also write gpu.json and gpu.md here")
    parser.add_argument("--epochs", type=int, help="per case (default: 3 on a GPU, 2 dry)")
    parser.add_argument("--case-timeout", type=float, help="seconds (default: 100, 60 dry)")
    parser.add_argument("--budget", type=float, help="seconds in all (default: 450, 110 dry)")
    parser.add_argument("--jobs", type=int, help="cases at a time (default: 1, 2 dry)")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    parser.add_argument("--mirrored", action=argparse.BooleanOptionalAction, default=True,
                        help="mirrored over two GPUs where there are several")  # fmt: skip
    options = parser.parse_args(argv)
    for field, known in (("configs", CONFIGS), ("backends", BACKENDS), ("precisions", PRECISIONS)):
        names = _names(getattr(options, field))
        if not names or set(names) - set(known):
            parser.error(f"--{field} takes a comma-separated list of: {', '.join(known)}")
    return options


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = options_from(argv)
    found = gpus()
    dry_reason = None if found else NO_GPU
    if options.dry_run and found:
        dry_reason = f"dry run on the CPU (--dry-run; {len(found)} GPU(s) seen, not used)"
    options.dry_run = dry_reason is not None
    defaults = DRY if options.dry_run else GPU
    limits = {key: getattr(options, key) or defaults[key] for key in defaults}
    size = Size(int(limits["epochs"]), DRY_SAMPLES if options.dry_run else [],
                on_gpu=not options.dry_run, gpu_count=len(found))  # fmt: skip
    print(dry_reason or title(found, size, None), flush=True)
    started = time.perf_counter()
    jobs = options.jobs or (min(2, os.cpu_count() or 1) if options.dry_run else 1)
    cases = measure(plan(options), size, limits, jobs)
    results = {"title": title(found, size, dry_reason), "gpu_seen": bool(found),
               "dry_run": options.dry_run, "gpus": found, "machine": machine(),
               "limits": limits, "seconds": time.perf_counter() - started,
               "cases": cases}  # fmt: skip
    print("\n" + markdown(results))
    for path in write(results, options.out):
        print(f"wrote {path}")
    failed = [r["case"] for r in cases if r["status"] == "failed"]
    if failed:
        sys.exit(f"benchmark: {len(failed)} case(s) failed: {', '.join(failed)}")
    return results


if __name__ == "__main__":
    main()
