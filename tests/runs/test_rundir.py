"""The run directory: unique names, atomic writes, honest status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlcli.errors import RunDirError
from dlcli.runs import rundir
from dlcli.runs.rundir import RunDir


def test_create_names_runs_by_prefix_and_time_and_never_reuses_one(tmp_path: Path) -> None:
    paths = {RunDir.create(tmp_path, "exp").path for _ in range(5)}
    assert len(paths) == 5
    assert all(p.name.startswith("exp-") for p in paths)


def test_json_is_written_atomically_with_no_temporary_files_left(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "exp")
    run.write_json("history.json", {"loss": [1.0, 0.5]})
    run.write_json("history.json", {"loss": [1.0, 0.5, 0.25]})
    assert json.loads(run.file("history.json").read_text()) == {"loss": [1.0, 0.5, 0.25]}
    assert [p.name for p in run.path.iterdir()] == ["history.json"]
    assert oct(run.file("history.json").stat().st_mode & 0o777) != oct(0o600)


def test_a_failed_write_keeps_the_old_file_and_says_why(tmp_path: Path, monkeypatch) -> None:
    run = RunDir.create(tmp_path, "exp")
    run.write_json("metrics.json", {"accuracy": 0.5})

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(RunDirError, match="the disk is full"):
        run.write_json("metrics.json", {"accuracy": 0.9})
    monkeypatch.undo()
    assert json.loads(run.file("metrics.json").read_text()) == {"accuracy": 0.5}
    assert [p.name for p in run.path.iterdir()] == ["metrics.json"]


def test_open_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="no such run directory"):
        RunDir.open(tmp_path / "missing")
    with pytest.raises(RunDirError, match="not a dlcli run directory"):
        RunDir.open(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunDirError, match="not a directory"):
        RunDir.open(tmp_path / "file")


def test_a_running_run_whose_process_is_gone_reads_as_interrupted(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "exp")
    run.write_text(rundir.CONFIG_FILE, "name: exp\n")
    run.set_status(rundir.RUNNING)
    assert RunDir.open(run.path).status()["state"] == "running"  # this process is alive
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    status = json.loads(run.file(rundir.STATUS_FILE).read_text())
    run.write_json(rundir.STATUS_FILE, {**status, "pid": int(dead)})
    assert run.status()["state"] == "interrupted"


def test_create_in_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("a file where the runs directory should be")
    with pytest.raises(RunDirError, match="cannot create a run directory"):
        RunDir.create(tmp_path / "runs", "exp")
