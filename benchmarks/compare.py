"""compare-optimizers (six optimizers, one seed, one process) vs six `dlcli train` runs.

Target: the comparison takes <= 0.6 x the six separate trainings. Where this
checkout has no `compare-optimizers` command, it reports "not available".

    python -m benchmarks.compare
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, check, run_child, table
from dlcli.comparison.plan import DEFAULT_OPTIMIZERS

CONFIG = REPO / "configs" / "mnist_mlp.yaml"
OPTIMIZERS = DEFAULT_OPTIMIZERS  # what compare-optimizers trains by default
ONE_EPOCH = ["--set", "train.epochs=1"]


def available() -> bool:
    return run_child(["-m", "dlcli", "compare-optimizers", "--help"]).returncode == 0


def measure() -> dict[str, Any]:
    if not available():
        return {"available": False}
    with tempfile.TemporaryDirectory(prefix="dlcli-bench-") as folder:
        runs = Path(folder)
        args = ["-m", "dlcli", "compare-optimizers", str(CONFIG), "--seeds", "1", *ONE_EPOCH]
        together = run_child([*args, "--runs-dir", str(runs / "compare")])
        check(together, "dlcli compare-optimizers")
        separate = 0.0
        for name in OPTIMIZERS:
            run = run_child(
                ["-m", "dlcli", "train", str(CONFIG), *ONE_EPOCH]
                + ["--set", f"compile.optimizer={name}", "--runs-dir", str(runs / "separate")]
            )
            check(run, f"dlcli train ({name})")
            separate += run.seconds
    return {
        "available": True,
        "optimizers": list(OPTIMIZERS),
        "compare_s": together.seconds,
        "separate_s": separate,
        "ratio": together.seconds / separate,
        "target_ratio": 0.6,
    }


def report(results: dict[str, Any]) -> str:
    if not results["available"]:
        return "compare: not available (this checkout has no `dlcli compare-optimizers`)"
    verdict = "met" if results["ratio"] <= results["target_ratio"] else "MISSED"
    rows = [
        ["compare-optimizers --seeds 1 (6 optimizers)", results["compare_s"]],
        ["6 separate dlcli train runs", results["separate_s"]],
        ["ratio (target <= 0.6)", f"{results['ratio']:.2f} {verdict}"],
    ]
    return table("compare: 1 epoch of configs/mnist_mlp.yaml each", ["", "wall s"], rows)


def main() -> dict[str, Any]:
    results = measure()
    print(report(results))
    return results


if __name__ == "__main__":
    main()
