"""`dlcli runs` over 1,000 run directories (and one comparison of 20 members): the median
of 3 fresh processes, in table and --json form. Target: within 1-2 s
(docs/runs-and-reports.md has the figures).

The run directories are copies of one realistic run (every file the runner writes but the
model files, which `runs` never reads), made once in a temporary folder.

    python -m benchmarks.runs_table [--runs 3] [--count 1000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, check, median, run_child, table

ENTRY = Path(PYTHON).with_name("dlcli")
TARGET_S = 2.0
HISTORY = {key: [0.5 - i / 100 for i in range(20)]
           for key in ("loss", "accuracy", "val_loss", "val_accuracy")}  # fmt: skip


def make_runs(root: Path, count: int) -> Path:
    runs = root / "runs"
    for n in range(count):
        stamp = f"2026{1 + n // 28 % 12:02d}{1 + n % 28:02d}-{n // 336 % 24:02d}0000"
        _one_run(runs / f"mnist_mlp-{stamp}-{n}", n)
    compare = runs / "mnist_mlp-compare-20261231-000000"
    members = []
    for n in range(20):
        name = f"adam-seed{n}-20261231-0000{n:02d}"
        _one_run(compare / name, n)
        members.append({"name": name, "group": "adam", "seed": n, "state": "completed",
                        "run_dir": name, "seconds": 10.0, "epochs": 20})  # fmt: skip
    (compare / "compare.json").write_text(json.dumps({"members": members}))
    (compare / "comparison.json").write_text(json.dumps({"ranked_by": "val_accuracy",
                                                         "ranking": []}))  # fmt: skip
    return runs


def _one_run(path: Path, n: int) -> None:
    path.mkdir(parents=True)
    state = "completed" if n % 10 else "failed"
    files = {
        "status.json": {"state": state, "pid": 1, "epochs": 20,
                        "started": "2026-01-01T00:00:00+0000",
                        "updated": "2026-01-01T00:01:40+0000"},
        "history.json": HISTORY,
        "metrics.json": {"split": "test", "loss": 0.07, "accuracy": 0.98},
        "data.json": {"source": "mnist", "train_samples": 54000},
        "env.json": {"tensorflow": "2.21.0", "keras": "3.15.1", "device": "cpu", "seed": n},
    }  # fmt: skip
    for name, data in files.items():
        (path / name).write_text(json.dumps(data, indent=2))
    (path / "config.yaml").write_text("name: mnist_mlp\nseed: 42\n")
    (path / "summary.txt").write_text(" Total params: 407,050 (1.55 MB)\n")


def measure(runs: int = 3, count: int = 1000) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="dlcli-runs-bench-"))
    try:
        folder = make_runs(scratch, count)
        results: dict[str, Any] = {"run_dirs": count + 21}
        for label, extra in (("table", []), ("--json", ["--json"])):
            seconds = []
            for _ in range(runs):
                args = ["runs", str(folder), *extra]
                run = run_child([str(ENTRY), *args] if ENTRY.is_file() else ["-m", "dlcli", *args])
                check(run, f"dlcli runs {label}")
                seconds.append(run.seconds)
            results[label] = {"seconds": seconds, "median_s": median(seconds)}
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(results: dict[str, Any]) -> str:
    rows = []
    for label in ("table", "--json"):
        r = results[label]
        verdict = "met" if r["median_s"] <= TARGET_S else "MISSED"
        rows.append([f"dlcli runs ({label})", results["run_dirs"], f"{r['median_s']:.3f}",
                     TARGET_S, verdict])  # fmt: skip
    return table("runs_table: `dlcli runs` over many run directories (median of fresh processes)",
                 ["command", "run dirs", "s", "target", ""], rows)  # fmt: skip


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=1000)
    options = parser.parse_args()
    results = measure(options.runs, options.count)
    print(report(results))
    return results


if __name__ == "__main__":
    main()
