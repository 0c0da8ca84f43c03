"""The crash tests' shared pieces (tests/e2e/test_crash_points.py, test_disk_full.py,
tests/runs/test_space.py): the short training they interrupt, running it as a user
would, checking that a file left behind is whole, and a small disk to fill."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from dlcli.runs import rundir
from tests.helpers.files import REPO

CRASH_CONFIG = """\
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


def run_dlcli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(cwd)}
    clean.update(KERAS_HOME=str(cwd / "keras_home"), TF_CPP_MIN_LOG_LEVEL="3", **env)
    return subprocess.run(
        [sys.executable, "-m", "dlcli", *args], cwd=cwd, env=clean,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def only_run(runs: Path) -> Path:
    [run] = list(runs.iterdir())
    return run


def h5_weights(path: Path) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda name, item: found.__setitem__(name, item[()])
            if isinstance(item, h5py.Dataset) else None
        )  # fmt: skip
    return found


@contextlib.contextmanager
def small_disk(place: Path, size: str = "8m"):
    """A tmpfs of `size` at place/disk, unmounted after; skip where mounting is refused."""
    disk = place / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def check_whole(path: Path, point: str) -> None:
    what = f"{point}: {path.name}"
    if path.suffix == ".json":
        json.loads(path.read_text())
    elif path.suffix == ".h5":
        h5_weights(path)
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
