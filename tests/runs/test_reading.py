"""Hostile run files: `dlcli runs`, `diff` and `report` survive any one bad run.

Each bad file is real (a FIFO from os.mkfifo, a 100,000-deep JSON, a planted link);
commands that could block run in a subprocess with a timeout, so a regression fails
instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlcli.runs import reading
from dlcli.runs import rundir as files
from dlcli.runs.catalog import list_runs, sort_rows
from dlcli.runs.rundir import RunDir
from tests.helpers.runs import fake_run

REPO = Path(__file__).resolve().parents[2]
BLOCKED = 60  # seconds: a read that blocks on a FIFO never returns; a normal one takes 1


def _dlcli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dlcli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=BLOCKED,
                          env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip


def _status(run: Path, **changes) -> None:
    status = json.loads((run / files.STATUS_FILE).read_text())
    (run / files.STATUS_FILE).write_text(json.dumps({**status, **changes}))


def _bad_runs(runs: Path) -> dict[str, Path]:
    """One run of each kind of damage, beside a good one."""
    made = {kind: fake_run(runs, kind, f"20260101-1{i:05d}") for i, kind in enumerate(
        ("good", "deep", "infinite_start", "fifo_status", "fifo_history", "hacked",
         "text_backend"))}  # fmt: skip
    (made["deep"] / files.HISTORY_FILE).write_text("[" * 100_000 + "]" * 100_000)
    (made["infinite_start"] / files.STATUS_FILE).write_text(
        '{"state": "completed", "started": 1e999, "epochs": 3}')  # fmt: skip
    for kind, name in (("fifo_status", files.STATUS_FILE), ("fifo_history", files.HISTORY_FILE)):
        (made[kind] / name).unlink()
        os.mkfifo(made[kind] / name)
    _status(made["hacked"], state="hacked")
    (made["text_backend"] / files.ENV_FILE).write_text('{"backend": 5}')  # sorts beside text
    return made


def test_the_runs_table_lists_every_good_run_and_each_bad_one_as_broken(tmp_path: Path) -> None:
    made = _bad_runs(tmp_path / "runs")
    done = _dlcli("runs", str(tmp_path / "runs"), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["name"].split("-")[0]: row for row in json.loads(done.stdout)["runs"]}
    assert set(rows) == set(made)
    assert rows["good"]["status"] == "completed" and rows["text_backend"]["status"] == "completed"
    notes = {kind: rows[kind]["note"] for kind in made if rows[kind]["status"] == "broken"}
    assert "nested more than 64 levels deep" in notes["deep"]
    assert "started" in notes["infinite_start"]
    assert "status.json unreadable (a FIFO, not a regular file)" in notes["fifo_status"]
    assert "history.json unreadable (a FIFO, not a regular file)" in notes["fifo_history"]
    assert "state" in notes["hacked"] and "hacked" not in rows["hacked"]["status"]
    assert set(notes) == {"deep", "infinite_start", "fifo_status", "fifo_history", "hacked"}
    for field in ("backend", "started", "note", "best"):  # every field sorts, odd values too
        assert len(sort_rows(list(rows.values()), field)) == len(made)


def test_diff_and_report_of_a_run_with_a_fifo_do_not_block(tmp_path: Path) -> None:
    made = _bad_runs(tmp_path / "runs")
    done = _dlcli("diff", str(made["good"]), str(made["fifo_history"]), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "best val_accuracy" not in {row["metric"] for row in json.loads(done.stdout)["metrics"]
                                       if row["b"] is not None}  # fmt: skip
    (made["good"] / files.SUMMARY_FILE).unlink()
    os.mkfifo(made["good"] / files.SUMMARY_FILE)
    shown = _dlcli("report", str(made["good"]))
    assert shown.returncode == 0, shown.stderr[-2000:]
    report = (made["good"] / files.REPORT_FILE).read_text()
    assert "summary.txt unreadable: a FIFO, not a regular file" in report


def test_a_thousand_runs_list_though_one_is_a_recursion_bomb(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    one = fake_run(runs, "r", "20260101-000000")
    for i in range(1, 1000):
        shutil.copytree(one, runs / f"r-20260101-{i:06d}")
    (runs / "r-20260101-000500" / files.HISTORY_FILE).write_text("[" * 100_000 + "]" * 100_000)
    rows = list_runs(runs)
    assert len(rows) == 1000
    assert [r["name"] for r in rows if r["status"] == "broken"] == ["r-20260101-000500"]


def test_a_running_run_is_judged_by_its_lock_not_by_a_reused_pid(tmp_path: Path) -> None:
    """pid 1 is alive (init), as a killed run's pid may be alive again in another
    process; the lock is free, so `train --resume` would take the run over."""
    run = fake_run(tmp_path, "r", state="running")  # its status.json says pid 1
    with RunDir(run).locked():
        assert list_runs(tmp_path)[0]["status"] == "running"
    assert (run / files.LOCK_FILE).is_file()
    assert list_runs(tmp_path)[0]["status"] == "interrupted"
    assert RunDir.open(run).status()["state"] == "interrupted"


@pytest.mark.parametrize("kind", ["fifo", "link", "deep", "large"])
def test_run_files_are_read_only_when_regular_bounded_and_shallow(tmp_path: Path, kind) -> None:
    target = tmp_path / "file.json"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "link":
        (tmp_path / "elsewhere.json").write_text("{}")
        target.symlink_to(tmp_path / "elsewhere.json")
    elif kind == "deep":
        target.write_text("[" * 65 + "]" * 65)
    else:
        target.write_bytes(b" " * 2048)
    reason = {"fifo": "a FIFO, not a regular file", "link": "a symbolic link",
              "deep": "nested more than 64 levels deep", "large": "2,048 bytes, over the"}[kind]
    with pytest.raises(reading.UnreadableRunFile, match=reason):
        reading.load_json(target) if kind != "large" else reading.read_bytes(target, limit=1024)
    (tmp_path / "ok.json").write_text("[" * 64 + "]" * 64)
    assert reading.load_json(tmp_path / "ok.json")
