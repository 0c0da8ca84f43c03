"""Start-up: how long commands that train nothing take (median of 5 fresh processes).

Targets: `dlcli --help` <= 0.3 s, `dlcli validate configs/mnist_mlp.yaml` <= 0.5 s.

    python -m benchmarks.startup [--runs 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, check, median, run_child, table

# What a user runs: the `dlcli` console script beside this Python (python -m dlcli
# where it is not installed, which costs ~0.05 s more for runpy).
ENTRY = Path(PYTHON).with_name("dlcli")

COMMANDS = {
    "dlcli --help": (["--help"], 0.3),
    "dlcli train --help": (["train", "--help"], None),
    "dlcli validate configs/mnist_mlp.yaml": (["validate", "configs/mnist_mlp.yaml"], 0.5),
}


def measure(runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, (args, target) in COMMANDS.items():
        seconds = []
        for _ in range(runs):
            run = run_child([str(ENTRY), *args] if ENTRY.is_file() else ["-m", "dlcli", *args])
            check(run, label)
            seconds.append(run.seconds)
        results[label] = {"seconds": seconds, "median_s": median(seconds), "target_s": target}
    return results


def report(results: dict[str, Any]) -> str:
    rows = []
    for label, r in results.items():
        target = r["target_s"]
        verdict = "" if target is None else ("met" if r["median_s"] <= target else "MISSED")
        rows.append([label, f"{r['median_s']:.3f}", "-" if target is None else target, verdict])
    runs = len(next(iter(results.values()))["seconds"])
    return table(f"startup: median of {runs} fresh processes", ["command", "s", "target", ""], rows)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    results = measure(parser.parse_args().runs)
    print(report(results))
    return results


if __name__ == "__main__":
    main()
