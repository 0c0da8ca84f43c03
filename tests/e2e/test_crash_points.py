"""Crash at every file write of a short training, then check the run tells the truth.

As storage engines test themselves: a reference training records every file it writes
(DLCLI_CRASH_TRACE); then, for each write, a training is SIGKILLed by itself just
before and just after it (DLCLI_CRASH_AT, dlcli.runs.crashpoints) and the invariants
are checked on what it left:
  - status.json tells the truth: a dead run never reads `running`, nor `completed`
    unless it did complete (and then everything a completed run holds is there);
  - no file that looks complete is partial (every JSON parses, every HDF5/.keras/PNG
    opens, the checkpoint names a weights file that exists);
  - `dlcli train --resume` finishes the run with the very weights of an uninterrupted
    run (deterministic mode), or says clearly why it cannot.
The default suite crashes at one point (just after the epoch-2 checkpoint); the
slow test (`make test-slow`) at every point, both sides of every write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from dlcli.runs import rundir
from dlcli.runs.rundir import RunDir
from tests.helpers.files import REPO

CONFIG = """\
name: crash
seed: 7
data:
  dataset: inline
  x: [[0, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 0], [1, 1, 0, 0], [0.5, 0.5, 0.5, 0.5],
      [0.2, 0.8, 0.2, 0.8]]
  y: [0, 1, 2, 1, 0, 2]
  labels: sparse
  validation: none
model:
  input_shape: [4]
  layers:
    - Dense: {units: 5, activation: relu}
    - Dense: {units: 3, activation: softmax}
compile:
  loss: sparse_categorical_crossentropy
  optimizer: adam
  metrics: [accuracy]
train:
  epochs: 3
  batch_size: 2
  shuffle: false
  deterministic: true
"""
DEFAULT_POINTS = ["state.json:after:2"]  # mid-run: the checkpoint of epoch 2 just written


def _dlcli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(cwd)}
    clean.update(KERAS_HOME=str(cwd / "keras_home"), TF_CPP_MIN_LOG_LEVEL="3", **env)
    return subprocess.run(
        [sys.executable, "-m", "dlcli", *args], cwd=cwd, env=clean,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _only_run(runs: Path) -> Path:
    [run] = list(runs.iterdir())
    return run


def _weights(path: Path) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda name, item: found.__setitem__(name, item[()])
            if isinstance(item, h5py.Dataset) else None
        )  # fmt: skip
    return found


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """An uninterrupted run: the writes it makes, in order, and its final weights."""
    place = tmp_path_factory.mktemp("reference")
    (place / "config.yaml").write_text(CONFIG)
    trace = place / "writes.txt"
    done = _dlcli(["train", "config.yaml", "--runs-dir", "runs", "-q"], place,
                  DLCLI_CRASH_TRACE=str(trace))  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = trace.read_text().split()
    seen: dict[str, int] = {}
    points = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        points += [f"{name}:{phase}:{seen[name]}" for phase in ("before", "after")]
    run = _only_run(place / "runs")
    return {"points": points, "weights": _weights(run / rundir.WEIGHTS_FILE), "names": names}


def test_the_reference_run_writes_every_kind_of_file(reference: dict) -> None:
    names = set(reference["names"])
    expected = {rundir.CONFIG_FILE, rundir.STATUS_FILE, rundir.HISTORY_FILE, rundir.MODEL_FILE,
                rundir.WEIGHTS_FILE, rundir.SUMMARY_FILE, rundir.METRICS_FILE, "loss.png",
                rundir.CHECKPOINT_STATE_FILE, "epoch-0003.weights.h5"}  # fmt: skip
    assert expected <= names
    assert set(DEFAULT_POINTS) <= set(reference["points"])


@pytest.mark.parametrize("point", DEFAULT_POINTS)
def test_crash_point(point: str, reference: dict, tmp_path: Path) -> None:
    _crash_and_check(point, reference, tmp_path)


@pytest.mark.slow
def test_every_crash_point(reference: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    points = reference["points"]
    print(f"\n{len(points)} crash points ({len(points) // 2} writes, before and after each)")
    for number, point in enumerate(points, start=1):
        _crash_and_check(point, reference, tmp_path_factory.mktemp("crash"))
        print(f"crash point {number}/{len(points)} {point}: invariants hold", flush=True)


def _crash_and_check(point: str, reference: dict, place: Path) -> None:
    (place / "config.yaml").write_text(CONFIG)
    crashed = _dlcli(["train", "config.yaml", "--runs-dir", "runs", "-q"], place,
                     DLCLI_CRASH_AT=point)  # fmt: skip
    assert crashed.returncode == -signal.SIGKILL, f"{point}: never reached ({crashed.stderr})"
    run = _only_run(place / "runs")
    state = _check_left_files(run, point)
    resumed = _dlcli(["train", "--resume", str(run), "-q"], place)
    if state is None:  # killed before status.json existed: not a run, and it says so
        assert resumed.returncode != 0 and "Traceback" not in resumed.stderr
        assert "not a dlcli run directory" in resumed.stderr, resumed.stderr
        return
    if state == rundir.COMPLETED:
        assert "already completed" in resumed.stderr, f"{point}: {resumed.stderr}"
    else:
        assert resumed.returncode == 0, f"{point}: {resumed.stderr}"
    assert RunDir.open(run).status()["state"] == rundir.COMPLETED
    final = _weights(run / rundir.WEIGHTS_FILE)
    assert final.keys() == reference["weights"].keys()
    for name, values in reference["weights"].items():
        assert np.array_equal(final[name], values), f"{point}: {name} differs after resume"


def _check_left_files(run: Path, point: str) -> str | None:
    """Every visible file is whole; the status is the truth. Returns the state read."""
    for path in sorted(p for p in run.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            continue  # a temporary file: never mistaken for a result
        _check_whole(path, point)
    if not (run / rundir.STATUS_FILE).is_file():
        return None
    state = RunDir(run).status()["state"]
    assert state != rundir.RUNNING, f"{point}: a dead run reads as running"
    if state == rundir.COMPLETED:
        for name in (rundir.MODEL_FILE, rundir.WEIGHTS_FILE, rundir.METRICS_FILE):
            assert (run / name).is_file(), f"{point}: completed without {name}"
    else:
        assert state == rundir.INTERRUPTED, f"{point}: {state}"
    checkpoint = run / rundir.CHECKPOINT_DIR / rundir.CHECKPOINT_STATE_FILE
    if checkpoint.is_file():
        weights = json.loads(checkpoint.read_text())["weights"]
        assert (run / rundir.CHECKPOINT_DIR / weights).is_file(), f"{point}: dangling checkpoint"
    return state


def _check_whole(path: Path, point: str) -> None:
    what = f"{point}: {path.name}"
    if path.suffix == ".json":
        json.loads(path.read_text())
    elif path.suffix == ".h5":
        _weights(path)
    elif path.suffix == ".keras":
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, what
    elif path.suffix == ".png":
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 100, what
    elif path.suffix == ".yaml":
        assert yaml.safe_load(path.read_text()), what
    elif path.name == rundir.LOCK_FILE:
        return
    else:
        assert path.stat().st_size > 0, what
    assert os.access(path, os.R_OK), what
