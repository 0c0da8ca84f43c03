"""dlcli.comparison.summary: comparison.json and comparison.csv, written under the lock."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
import time

import pytest

from dlcli.comparison.plan import comparison_lock
from dlcli.comparison.summary import comparison_csv, write_comparison
from tests.helpers.runs import completed_comparison

T_975_DF2 = 4.302653  # t table: two-sided 95 %, 2 degrees of freedom




def test_comparison_json_and_csv_hold_the_intervals_and_the_test(tmp_path):
    compare = completed_comparison(tmp_path, {"adam": [1, 2, 3], "sgd": [4, 5, 6]})
    plan, summary = write_comparison(compare)
    on_disk = json.loads((compare.path / "comparison.json").read_text())
    assert on_disk["plots"] == summary["plots"] and "plots/final_val_loss.png" in summary["plots"]
    adam = on_disk["groups"]["optimizer=adam"]["final"]["val_loss"]
    half = T_975_DF2 / math.sqrt(3)
    assert adam["ci95"] == pytest.approx([2 - half, 2 + half], abs=1e-5)
    assert [row["group"] for row in on_disk["ranking"]] == ["optimizer=adam", "optimizer=sgd"]
    test = on_disk["best_vs_runner_up"]
    assert test["p_value"] == pytest.approx(0.0213, abs=5e-4) and test["distinguishable"]
    rows = list(csv.DictReader(io.StringIO((compare.path / "comparison.csv").read_text())))
    sgd = next(r for r in rows if r["group"] == "optimizer=sgd" and r["metric"] == "val_loss")
    assert float(sgd["final_ci95_low"]) == pytest.approx(5 - half, abs=1e-4)
    assert float(sgd["welch_p"]) == pytest.approx(0.0213, abs=5e-4)  # the runner-up's row
    assert all(r["welch_p"] == "" for r in rows if r is not sgd)
    assert [m.state for m in plan.members] == ["completed"] * 6


def test_csv_leaves_the_interval_empty_with_one_seed():
    summary = {
        "best_vs_runner_up": {"test": None, "p_value": None},
        "groups": {
            "a": {
                "final": {"loss": {"mean": 0.5, "std": 0.0, "n": 1, "ci95": None,
                                   "values": [0.5]}},  # fmt: skip
                "best": {"loss": {"mean": 0.4, "std": 0.0}},
                "evaluation": {},
                "seconds_per_epoch": {"mean": 1.5},
                "epochs_to_target": None,
            }
        },
    }
    (header, row) = list(csv.reader(io.StringIO(comparison_csv(summary, None))))
    assert dict(zip(header, row, strict=True)) == {
        "group": "a", "metric": "loss", "seeds": "1", "final_mean": "0.5", "final_std": "0",
        "best_mean": "0.4", "best_std": "0", "seconds_per_epoch": "1.5", "epochs_to_target": "",
        "final_ci95_low": "", "final_ci95_high": "", "welch_p": "",
    }  # fmt: skip


SUMMARIZER = """
import sys
from dlcli.comparison.summary import write_comparison
from pathlib import Path
from dlcli.runs.rundir import RunDir
write_comparison(RunDir(Path(sys.argv[1])))
"""


def test_writing_the_comparison_waits_for_the_lock(tmp_path):
    """A second process summarising the comparison waits while another holds the lock."""
    compare = completed_comparison(tmp_path, {"adam": [1, 2, 3]})
    with comparison_lock(compare):
        child = subprocess.Popen([sys.executable, "-c", SUMMARIZER, str(compare.path)])
        time.sleep(3)  # long enough for the child to import and reach the lock
        assert child.poll() is None and not (compare.path / "comparison.json").exists()
    assert child.wait(timeout=120) == 0
    assert json.loads((compare.path / "comparison.json").read_text())["plots"]
