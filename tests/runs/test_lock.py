"""The run lock: one process per run, and a lock left by a killed process is taken over."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcli.errors import RunDirError
from dlcli.runs import rundir
from dlcli.runs.lock import holding, is_held
from dlcli.runs.rundir import RunDir
from tests.helpers.files import REPO

HOLD = """\
import sys, time
from pathlib import Path
from dlcli.runs.rundir import RunDir
with RunDir(Path(sys.argv[1])).locked():
    print("held", flush=True)
    time.sleep(600)
"""


def _holder(run: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(run)], stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.stdout.readline().strip() == "held"
    return proc


def _running_run(tmp_path: Path) -> RunDir:
    run = RunDir.create(tmp_path / "runs", "locked")
    run.write_text(rundir.CONFIG_FILE, "name: locked\n")
    run.set_status(rundir.RUNNING)
    return run


def test_a_second_process_is_refused_and_a_killed_holders_lock_is_taken_over(
    tmp_path: Path,
) -> None:
    run = _running_run(tmp_path)
    holder = _holder(run.path)
    try:
        assert is_held(run.path / rundir.LOCK_FILE) is True
        assert run.status()["state"] == rundir.RUNNING  # the holder is alive: it is running
        with pytest.raises(RunDirError, match="is still training: another dlcli process"), \
                run.locked():  # fmt: skip
            pass
    finally:
        holder.send_signal(signal.SIGKILL)  # no cleanup runs: the kernel drops the flock
        holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL
    assert (run.path / rundir.LOCK_FILE).exists()  # the stale lock file is still there...
    assert run.status()["state"] == rundir.INTERRUPTED  # ...yet the run reads as dead
    with run.locked():  # ...and is taken over at once
        assert is_held(run.path / rundir.LOCK_FILE) is True
    assert is_held(run.path / rundir.LOCK_FILE) is False


def test_two_resumes_started_together_one_proceeds(tmp_path: Path) -> None:
    """Both try at the same instant; exactly one gets the lock (no TensorFlow: the lock
    is taken before anything else, so this is what two `train --resume` do first)."""
    run = _running_run(tmp_path)
    go = tmp_path / "go"
    race = (
        "import sys, time\nfrom pathlib import Path\nfrom dlcli.runs.rundir import RunDir\n"
        "from dlcli.errors import RunDirError\ngo = Path(sys.argv[2])\n"
        "while not go.exists(): time.sleep(0.001)\n"
        "try:\n    with RunDir(Path(sys.argv[1])).locked():\n"
        "        print('won', flush=True); time.sleep(2)\n"
        "except RunDirError as e:\n    print('refused', flush=True)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", race, str(run.path), str(go)],
                         stdout=subprocess.PIPE, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
        for _ in range(4)
    ]  # fmt: skip
    time.sleep(1.0)
    go.touch()
    outcomes = sorted(proc.communicate(timeout=60)[0].strip() for proc in procs)
    assert outcomes == ["refused", "refused", "refused", "won"]


def test_the_lock_refuses_inside_one_process_too(tmp_path: Path) -> None:
    lock_file = tmp_path / "run.lock"
    with holding(lock_file, tmp_path), pytest.raises(RunDirError, match="still comparing"), \
            holding(lock_file, tmp_path, "comparing"):  # fmt: skip
        pass
