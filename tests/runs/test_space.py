"""Writes on a full disk (dlcli.runs.space): a message, the status still written, nothing
partial left, and no crash in h5py, on a real tmpfs mounted for the test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlcli.errors import RunDirError
from dlcli.runs import crashpoints, rundir, space
from dlcli.runs.rundir import RunDir
from tests.helpers.crash import small_disk
from tests.helpers.files import REPO

# Keras's save_weights of a 1.9 MB model into a 256 KiB file system: h5py creates the
# file, then a write fails half-way; the HDF5 file it leaves open crashed the process
# (SIGSEGV) when the collector closed it.
HALF_WAY = """\
import gc, sys
from pathlib import Path
import keras
from dlcli.errors import RunDirError
from dlcli.runs.rundir import RunDir
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(20000), keras.layers.Dense(3)])
model.compile("adam", "mse")
run = RunDir(Path(sys.argv[1]))
try:
    run.save_with("checkpoint/epoch-0001.weights.h5", model.save_weights)
except RunDirError as error:
    print(error)
gc.collect()
print(sorted(path.name for path in run.file("checkpoint").iterdir()))
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_a_save_failing_half_way_is_a_message_and_leaves_nothing(backend, tmp_path) -> None:
    if backend == "jax":
        pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    with small_disk(tmp_path, "256k") as disk:
        (disk / "run").mkdir()
        env = {**os.environ, "PYTHONPATH": str(REPO), "KERAS_BACKEND": backend,
               "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
        done = subprocess.run([sys.executable, "-c", HALF_WAY, str(disk / "run")], env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    message, left = done.stdout.splitlines()
    assert message.endswith("epoch-0001.weights.h5: the disk is full"), done.stdout
    assert left == "[]", done.stdout  # no .partial file


def test_a_failed_status_is_written_on_a_full_disk(tmp_path: Path) -> None:
    with small_disk(tmp_path, "1m") as disk:
        run = RunDir.create(disk / "runs", "full")
        run.set_status(rundir.RUNNING)
        crashpoints.fill(run.path)
        with pytest.raises(RunDirError, match="the disk is full"):
            run.write_json(rundir.HISTORY_FILE, {"loss": [1.0]})
        run.set_status(rundir.FAILED, reason="cannot write history.json: the disk is full")
        status = run.read_json(rundir.STATUS_FILE)
    assert status["state"] == rundir.FAILED
    assert status["reason"] == "cannot write history.json: the disk is full"


def test_a_save_that_cannot_fit_is_refused_before_it_starts(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path / "runs", "big")
    started = []
    with pytest.raises(RunDirError, match=r"the disk is full: it needs about .* is free"):
        run.save_with("model.weights.h5", started.append, needs=1 << 62)
    assert started == [] and list(run.path.iterdir()) == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OSError(28, "No space left on device"), "the disk is full"),
        (RuntimeError("Unable to synchronously create dataset (file write failed: errno = 28, "
                      "error message = 'No space left on device')"), "the disk is full"),
        (OSError(27, "File too large"), "a file exceeds the file-size limit"),
        (RuntimeError("Unable to create attribute (name already exists)"), None),
    ],
)  # fmt: skip
def test_what_a_writer_raised_is_read_for_its_cause(error, reason) -> None:
    assert space.full_disk_reason(error) == reason
