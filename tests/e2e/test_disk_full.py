"""The disk fills up at a file write of a short training: the run ends in one message and
a truthful status, on TensorFlow and on JAX.

The run directory lives on a small tmpfs mounted for the test. At a chosen write
(DLCLI_CRASH_AT=NAME:full:N, dlcli.runs.crashpoints) the process fills that file system
to its last byte, so the write and every one after it meet a really full disk. Then:
  - the command exits 1 with one `error:` line saying the disk is full, no traceback and
    no signal death (h5py on the JAX backend died with SIGSEGV);
  - status.json reads `failed` with the reason (or, if the disk filled before
    status.json was first written, there is none and the folder is not a run); the
    last write, status.json `completed`, still succeeds: the status has a reserve;
  - no visible file is partial (the crash test's checks);
  - once the space is freed, `dlcli train --resume` finishes the run, with the very
    weights of an uninterrupted run of the same backend (the slow sweep compares them).
The default suite fills the disk at the epoch-2 checkpoint on each backend; the slow
test (`make test-slow`) at every write of the run, on both backends. A file size limit
(RLIMIT_FSIZE, `ulimit -f`) is the same failure, with its own words.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlcli.runs import rundir
from dlcli.runs.crashpoints import FILLER
from dlcli.runs.rundir import RunDir
from tests.helpers.crash import (
    CRASH_CONFIG,
    check_whole,
    h5_weights,
    only_run,
    run_dlcli,
    small_disk,
)
from tests.helpers.files import REPO

BACKENDS = ["tensorflow", "jax"]
DEFAULT_POINT = "epoch-0002.weights.h5:full:1"  # the checkpoint h5py wrote when it crashed


def _backend_env(backend: str) -> dict[str, str]:
    if backend == "jax":
        pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    return {"KERAS_BACKEND": backend}


def _train(place: Path, runs: Path, backend: str, **env: str):
    (place / "config.yaml").write_text(CRASH_CONFIG)
    args = ["train", "config.yaml", "--runs-dir", str(runs), "-q", "--backend", backend]
    return run_dlcli(args, place, **_backend_env(backend), **env)


def _assert_one_message(done, what: str, words: str = "the disk is full") -> None:
    assert done.returncode == 1, f"{what}: exit {done.returncode}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, f"{what}: {done.stderr[-3000:]}"
    assert "Exception ignored" not in done.stderr, f"{what}: {done.stderr[-3000:]}"
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and words in errors[0], f"{what}: {done.stderr[-2000:]}"


def _check_failed_run(run: Path, what: str, words: str = "the disk is full") -> bool:
    """Every visible file whole; status `failed` naming the disk. False: not a run yet."""
    for path in sorted(p for p in run.rglob("*") if p.is_file()):
        if not path.name.startswith("."):  # temporary files are hidden, never results
            check_whole(path, what)
    if not (run / rundir.STATUS_FILE).is_file():
        return False
    status = RunDir(run).status()
    assert status["state"] == rundir.FAILED, f"{what}: {status}"
    assert words in status.get("reason", ""), f"{what}: {status}"
    return True


def _fill_and_resume(point: str, backend: str, place: Path) -> Path | None:
    """Fill the disk at `point`, check the failure, free the space, resume. The run, or
    None when the disk filled before the folder became a run."""
    with small_disk(place) as disk:
        runs = disk / "runs"
        done = _train(place, runs, backend, DLCLI_CRASH_AT=point)
        what = f"{backend} {point}"
        run = only_run(runs)
        if done.returncode == 0 and point.startswith(f"{rundir.STATUS_FILE}:"):
            # the last status (completed) goes through the reserve: the run did complete
            assert RunDir.open(run).status()["state"] == rundir.COMPLETED, what
            return h5_weights(run / rundir.WEIGHTS_FILE)
        _assert_one_message(done, what)
        is_run = _check_failed_run(run, what)
        (disk / FILLER).unlink()  # the space is free again
        resumed = run_dlcli(["train", "--resume", str(run), "-q"], place, **_backend_env(backend))
        if not is_run:
            assert resumed.returncode != 0 and "Traceback" not in resumed.stderr, what
            assert "not a dlcli run directory" in resumed.stderr, f"{what}: {resumed.stderr}"
            return None
        assert resumed.returncode == 0, f"{what}: {resumed.stderr[-3000:]}"
        assert RunDir.open(run).status()["state"] == rundir.COMPLETED, what
        return h5_weights(run / rundir.WEIGHTS_FILE)


@pytest.mark.parametrize("backend", BACKENDS)
def test_disk_full_at_a_checkpoint(backend: str, tmp_path: Path) -> None:
    assert _fill_and_resume(DEFAULT_POINT, backend, tmp_path) is not None


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_disk_full_at_every_write(backend: str, tmp_path_factory) -> None:
    place = tmp_path_factory.mktemp("reference")
    trace = place / "writes.txt"
    reference = _train(place, place / "runs", backend, DLCLI_CRASH_TRACE=str(trace))
    assert reference.returncode == 0, reference.stderr[-3000:]
    expected = h5_weights(only_run(place / "runs") / rundir.WEIGHTS_FILE)
    seen: dict[str, int] = {}
    for name in trace.read_text().split():
        seen[name] = seen.get(name, 0) + 1
        point = f"{name}:full:{seen[name]}"
        final = _fill_and_resume(point, backend, tmp_path_factory.mktemp("full"))
        if final is not None:
            assert final.keys() == expected.keys(), point
            for key, values in expected.items():
                assert np.array_equal(final[key], values), f"{point}: {key} differs"
        print(f"{backend} disk full at {point}: message, status and resume hold", flush=True)


def test_the_file_size_limit_is_a_message(tmp_path: Path) -> None:
    """RLIMIT_FSIZE below the checkpoint's size: EFBIG (Python ignores SIGXFSZ)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))

    (tmp_path / "config.yaml").write_text(CRASH_CONFIG)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
           "KERAS_HOME": str(tmp_path / "keras_home"), "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "dlcli", "train", "config.yaml", "--runs-dir",
                           "runs", "-q"], cwd=tmp_path, env=env, preexec_fn=limit,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    words = "a file exceeds the file-size limit"
    _assert_one_message(done, "ulimit -f", words)
    assert _check_failed_run(only_run(tmp_path / "runs"), "ulimit -f", words)
