"""Runs started at the same moment with the same name never share a directory."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.files import REPO

# Each process waits for the "go" file, then creates its run directory and writes its
# status there, as `dlcli train` and a comparison do. No TensorFlow: this is about
# the run directory, and eight TensorFlow start-ups would take a minute here.
CREATE = """\
import os, sys, time
from pathlib import Path
from dlcli.runs.rundir import RunDir, RUNNING
runs, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
run = RunDir.create(runs, name)
run.set_status(RUNNING, creator=os.getpid())
print(run.path)
"""


def test_runs_started_in_the_same_second_get_distinct_directories(tmp_path: Path) -> None:
    runs, go = tmp_path / "runs", tmp_path / "go"
    names = ["same"] * 6 + ["compare-same"] * 2  # trainings and comparisons, one runs dir
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CREATE, str(runs), name, str(go)],
            stdout=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )
        for name in names
    ]
    time.sleep(1.0)  # let every process start and wait at the line
    go.touch()
    paths = [proc.communicate(timeout=60)[0].strip() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)

    assert len(set(paths)) == len(names)  # eight processes, eight directories
    assert sorted(str(p) for p in runs.iterdir()) == sorted(paths)
    for path in paths:  # each directory holds exactly its own creator's status
        status = json.loads((Path(path) / "status.json").read_text())
        assert status["creator"] == status["pid"]
    assert len({json.loads((Path(p) / "status.json").read_text())["pid"] for p in paths}) == 8
