"""`dlcli train configs/mnist_cnn.yaml` with its defaults vs the plain Keras CNN script
doing the same work (all of MNIST, 10 % held out for validation, 5 epochs of batch 128,
evaluate on the test split, save), alternating, each in a fresh process.

    python -m benchmarks.example_cnn [--reps 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, check, child_env, median, run_child, table

CONFIG = REPO / "configs" / "mnist_cnn.yaml"
EPOCHS = 5  # what the config says
TARGET = 1.1


def measure(reps: int) -> dict[str, Any]:
    folder = os.environ.get("DLCLI_DATA_DIR")
    mnist = Path(folder) / "mnist.npz" if folder else None
    if mnist is None or not mnist.is_file():
        return {"skipped": "no mnist.npz in DLCLI_DATA_DIR: the example trains on real MNIST"}
    runs: dict[str, list[dict]] = {"plain": [], "dlcli": []}
    with tempfile.TemporaryDirectory(prefix="dlcli-example-cnn-") as scratch:
        result = Path(scratch) / "result.json"
        for rep in range(reps):  # alternating
            args = [str(REPO / "benchmarks" / "matrix_plain.py"), "cnn", str(mnist)]
            args += [str(EPOCHS), str(result), "default", "0.1"]
            plain = run_child(args, child_env())
            check(plain, "plain CNN script")
            runs["plain"].append(_facts(plain, result))
            args = [str(REPO / "benchmarks" / "dlcli_child.py"), "train", str(CONFIG)]
            ours = run_child(args + ["--runs-dir", str(Path(scratch) / "runs")],
                             child_env(DLCLI_BENCH_RESULT=str(result)))  # fmt: skip
            check(ours, "dlcli train configs/mnist_cnn.yaml")
            runs["dlcli"].append(_facts(ours, result))
            print(f"  example cnn rep {rep + 1}/{reps}: plain {plain.seconds:.1f} s, "
                  f"dlcli {ours.seconds:.1f} s", flush=True)  # fmt: skip
    summary = {k: {"end_to_end_s": median([r["end_to_end_s"] for r in v]),
                   "epoch_s": median([median(r["epoch_seconds"][1:]) for r in v])}
               for k, v in runs.items()}  # fmt: skip
    return {"reps": reps, "runs": runs, "summary": summary}


def _facts(run, result: Path) -> dict[str, Any]:
    seconds = json.loads(result.read_text(encoding="utf-8"))["epoch_seconds"]
    return {"end_to_end_s": run.seconds, "epoch_seconds": seconds}


def report(results: dict[str, Any]) -> str:
    if "skipped" in results:
        return f"example cnn: skipped ({results['skipped']})"
    s = results["summary"]
    ratio = s["dlcli"]["end_to_end_s"] / s["plain"]["end_to_end_s"]
    verdict = "met" if ratio <= TARGET else "MISSED"
    rows = [[k, v["epoch_s"], v["end_to_end_s"]] for k, v in s.items()]
    rows.append(["dlcli / plain", "", f"{ratio:.2f}x (target <= 1.1: {verdict})"])
    title = (f"configs/mnist_cnn.yaml with its defaults vs the plain CNN script, median of "
             f"{results['reps']} alternating runs")  # fmt: skip
    return table(title, ["", "epoch s (after the 1st)", "end-to-end s"], rows)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2)
    results = measure(parser.parse_args().reps)
    print(report(results))
    return results


if __name__ == "__main__":
    main()
