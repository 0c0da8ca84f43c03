"""The benchmark matrix: every kind of model, plain Keras script vs `dlcli train`.

For each workload in benchmarks/workloads.py, in each repetition, in turn, each in a
fresh process: the plain script with Keras's default jit_compile (on a CPU-only
TensorFlow: XLA off), the plain script with XLA forced on, `dlcli train` with its
defaults, and `dlcli train` with XLA the other way from what its default chose. So
each row compares like with like: TensorFlow with XLA off, with XLA on, and each
side's defaults. Where `jax` imports and dlcli accepts `--set train.backend=jax`, the
JAX rows add the plain script under KERAS_BACKEND=jax and dlcli with that backend;
otherwise the table says why they were skipped.

Reported: steady-state samples/s (median of the epochs after the first), end-to-end
seconds of the process, medians over repetitions, and dlcli / plain for both.

    python -m benchmarks.matrix [--reps 3] [--only mlp,cnn,...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import REPO, check, child_env, median, run_child, table, write_results
from benchmarks.workloads import WORKLOADS, Workload, write_data

PLAIN = REPO / "benchmarks" / "matrix_plain.py"
CHILD = REPO / "benchmarks" / "dlcli_child.py"
TARGET = 1.1  # dlcli end to end within 1.1x of the plain script


def jax_unavailable() -> str | None:
    """Why the JAX rows cannot run here, or None when they can."""
    if importlib.util.find_spec("jax") is None:
        return "jax is not installed in this environment"
    probe = run_child(
        ["-m", "dlcli", "validate", str(REPO / "configs" / "mnist_mlp.yaml")]
        + ["--set", "train.backend=jax"]
    )
    if probe.returncode != 0:
        return "this dlcli does not accept --set train.backend=jax"
    return None


def _plain(workload: Workload, data: Path, scratch: Path, xla: str, backend: str) -> dict:
    result = scratch / "result.json"
    result.unlink(missing_ok=True)
    args = [str(PLAIN), workload.name, str(data), str(workload.epochs), str(result), xla]
    run = run_child(args, child_env(KERAS_BACKEND=backend))
    check(run, f"plain script {workload.name} ({backend}, {xla})")
    return _measured(run, result, workload)


def _dlcli(config: Path, workload: Workload, scratch: Path, overrides: list[str]) -> dict:
    result = scratch / "result.json"
    result.unlink(missing_ok=True)
    runs = scratch / "runs"
    args = [str(CHILD), "train", str(config), "--runs-dir", str(runs), *overrides]
    run = run_child(args, child_env(DLCLI_BENCH_RESULT=str(result)))
    check(run, f"dlcli train {workload.name} {' '.join(overrides)}")
    measured = _measured(run, result, workload)
    env_files = sorted(runs.glob("*/env.json"), key=lambda p: p.stat().st_mtime)
    speed = json.loads(env_files[-1].read_text(encoding="utf-8")).get("speed", {})
    measured["xla"] = speed.get("xla")
    measured["xla_reason"] = speed.get("xla_reason")
    return measured


def _measured(run, result: Path, workload: Workload) -> dict:
    facts = json.loads(result.read_text(encoding="utf-8"))
    seconds = facts["epoch_seconds"]
    steady = median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    return {
        "epoch_seconds": seconds,
        "samples_per_s": workload.train_samples / steady,
        "end_to_end_s": run.seconds,
        "peak_rss_mb": run.peak_rss_mb,
        "xla": facts.get("xla"),
    }


def measure_workload(
    workload: Workload, reps: int, scratch: Path, jax_ok: bool, xla_reps: int = 1
) -> dict:
    data, data_kind = write_data(workload, scratch)
    config = scratch / f"{workload.name}.yaml"
    config.write_text(yaml.safe_dump(workload.config(data), sort_keys=False), encoding="utf-8")
    runs: dict[str, list[dict]] = {}

    def add(name: str, measured: dict) -> None:
        runs.setdefault(name, []).append(measured)
        rep = len(runs[name])
        print(f"  {workload.name} rep {rep}/{reps} {name}: "
              f"{measured['samples_per_s']:,.0f} samples/s, "
              f"{measured['end_to_end_s']:.1f} s", flush=True)  # fmt: skip

    for rep in range(reps):  # alternating, so load from elsewhere hits all alike
        add("plain", _plain(workload, data, scratch, "default", "tensorflow"))
        add("dlcli", _dlcli(config, workload, scratch, []))
        if jax_ok:  # every repetition: the JAX rows' ratio is a target of its own
            add("plain jax", _plain(workload, data, scratch, "default", "jax"))
            add("dlcli jax", _dlcli(config, workload, scratch, ["--set", "train.backend=jax"]))
        chose = bool(runs["dlcli"][-1]["xla"])
        if rep >= xla_reps:  # the XLA-swapped runs: 2-5x slower on conv/recurrent models
            continue
        add("plain xla", _plain(workload, data, scratch, "xla", "tensorflow"))
        flipped = ["--set", f"train.jit_compile={str(not chose).lower()}"]
        other = "dlcli no xla" if chose else "dlcli xla"
        add(other, _dlcli(config, workload, scratch, flipped))
    return {"data": data_kind, "what": workload.what, "kind": workload.kind,
            "epochs": workload.epochs, "runs": runs,
            "summary": {name: _summary(r) for name, r in runs.items()}}  # fmt: skip


def _summary(runs: list[dict]) -> dict[str, Any]:
    return {
        "samples_per_s": median([r["samples_per_s"] for r in runs]),
        "end_to_end_s": median([r["end_to_end_s"] for r in runs]),
        "xla": runs[-1].get("xla"),
        "xla_reason": runs[-1].get("xla_reason"),
    }


def measure(reps: int, only: list[str] | None = None, xla_reps: int = 1) -> dict[str, Any]:
    """`reps` alternating runs of each side's defaults; the first `xla_reps` of them also
    run both sides with XLA the other way (on a loaded 2-core machine those cost minutes
    each for the CNN and the LSTM)."""
    jax_reason = jax_unavailable()
    if jax_reason:
        print(f"  matrix: JAX rows skipped: {jax_reason}", flush=True)
    chosen = [w for w in WORKLOADS if not only or w.name in only]
    with tempfile.TemporaryDirectory(prefix="dlcli-matrix-") as folder:
        results = {w.name: measure_workload(w, reps, Path(folder), jax_reason is None, xla_reps)
                   for w in chosen}  # fmt: skip
    return {"reps": reps, "xla_reps": min(xla_reps, reps), "jax_skipped": jax_reason,
            "workloads": results}  # fmt: skip


def rows(results: dict[str, Any]) -> list[list[Any]]:
    """One row per (workload, setting): plain vs dlcli, samples/s and end to end."""
    out = []
    for name, w in results["workloads"].items():
        s = w["summary"]
        dlcli_xla = s["dlcli"]["xla"]
        xla_off = "dlcli" if not dlcli_xla else "dlcli no xla"
        xla_on = "dlcli" if dlcli_xla else "dlcli xla"
        pairs = [("TF defaults", "plain", "dlcli"), ("TF XLA off", "plain", xla_off),
                 ("TF XLA on", "plain xla", xla_on), ("JAX", "plain jax", "dlcli jax")]  # fmt: skip
        for setting, plain, ours in pairs:
            if plain not in s or ours not in s:
                continue
            p, d = s[plain], s[ours]
            label = setting
            if setting == "TF defaults":
                label += f" (dlcli XLA {'on' if dlcli_xla else 'off'})"
            e2e = d["end_to_end_s"] / p["end_to_end_s"]
            out.append([name, label, p["samples_per_s"], d["samples_per_s"],
                        f"{d['samples_per_s'] / p['samples_per_s']:.2f}x",
                        p["end_to_end_s"], d["end_to_end_s"],
                        f"{e2e:.2f}x" + ("" if e2e <= TARGET else " MISSED")])  # fmt: skip
    return out


def report(results: dict[str, Any]) -> str:
    header = ["workload", "setting", "plain samples/s", "dlcli samples/s", "dlcli/plain"]
    header += ["plain e2e s", "dlcli e2e s", "dlcli/plain (<= 1.1)"]
    title = (
        f"matrix: plain Keras script vs dlcli train, median of {results['reps']} alternating "
        f"fresh processes each ({results.get('xla_reps', results['reps'])} for the rows with "
        "XLA swapped); samples/s of the epochs after the first"
    )
    text = [table(title, header, rows(results))]
    xla = []
    for name, w in results["workloads"].items():
        s = w["summary"]
        if "plain xla" not in s:  # --xla-reps 0
            continue
        plain = s["plain xla"]["samples_per_s"] / s["plain"]["samples_per_s"]
        on, off = ("dlcli", "dlcli no xla") if s["dlcli"]["xla"] else ("dlcli xla", "dlcli")
        ours = s[on]["samples_per_s"] / s[off]["samples_per_s"]
        xla.append([name, w["kind"], f"{plain:.2f}x", f"{ours:.2f}x",
                    s["dlcli"]["xla_reason"] or "-"])  # fmt: skip
    header = ["workload", "kind", "plain script", "dlcli (32 steps/exec)", "dlcli's default"]
    text.append(table("XLA: steady-state samples/s with it over without it", header, xla))
    data = "; ".join(f"{n}: {w['what']}, {w['data']}, {w['epochs']} epochs"
                     for n, w in results["workloads"].items())  # fmt: skip
    text.append(f"workloads: {data}")
    if results["jax_skipped"]:
        text.append(f"JAX rows skipped: {results['jax_skipped']}")
    return "\n\n".join(text)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--xla-reps", type=int, default=1, help="runs with XLA swapped")
    parser.add_argument("--only", default="", help="workloads, e.g. cnn,lstm (default: all)")
    options = parser.parse_args()
    results = measure(options.reps, [n for n in options.only.split(",") if n], options.xla_reps)
    print(report(results))
    print(f"results: {write_results('matrix', results)}")
    return results


if __name__ == "__main__":
    main()
