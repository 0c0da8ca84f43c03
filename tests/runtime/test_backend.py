"""dlcli.runtime.backend: the several-device path, tried on CPUs split in two."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.files import write
from tests.helpers.processes import DISTRIBUTED_CONFIG, offline_env


@pytest.mark.slow  # a TensorFlow start-up of its own, to split the CPU before it starts
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_mirrored_training_uses_both_logical_cpus(tmp_path: Path, backend: str) -> None:
    if backend == "jax":
        pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    config = write(tmp_path / "dp.yaml", DISTRIBUTED_CONFIG)
    env = {**offline_env(tmp_path), "DLCLI_CPU_DEVICES": "2"}
    done = subprocess.run(
        # 643 samples: splits of odd sizes, whose last batches split over two devices only
        # once each split is cut to an even number of samples
        [sys.executable, "-m", "dlcli", "train", str(config), "--backend", backend, "--set",
         "train.distribute=mirrored", "--set", "data.linear.samples=643", "--runs-dir", "runs",
         "--json"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    run = tmp_path / json.loads(done.stdout)["run_dir"]
    facts = json.loads((run / "env.json").read_text())
    assert facts["distribute"] == "mirrored" and len(facts["devices"]) == 2, facts["devices"]
    history = json.loads((run / "history.json").read_text())
    assert history["loss"][-1] < history["loss"][0]  # it learned, split over two devices
