"""`dlcli export` writes only inside the run, on a run no process holds, and ends every
failure (a planted link or file, a full disk, Ctrl-C) in a message.

Each test exports a copy of the shared bars run, so the copy's export/ folder may be
damaged at will. Disk full is real: a small tmpfs (we mount one; skipped with the
reason where mounting is not permitted) or RLIMIT_FSIZE in a child process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.errors import RunDirError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from tests.helpers.crash import small_disk

REPO = Path(__file__).resolve().parents[2]


def _copy(run: Path, where: Path) -> Path:
    copy = where / "bars-run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns(files.EXPORT_DIR))
    return copy


def _export(run: Path, *extra: str):
    result = CliRunner().invoke(app, ["export", str(run), "-f", "onnx", *extra])
    assert "Traceback" not in result.output
    return result


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_a_linked_export_folder_is_refused_and_nothing_is_written_outside(
    bars_run: Path, tmp_path: Path
) -> None:
    run, outside = _copy(bars_run, tmp_path), tmp_path / "outside"
    outside.mkdir()
    (run / files.EXPORT_DIR).symlink_to(outside)
    result = _export(run)
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert list(outside.iterdir()) == []


def test_a_file_where_the_export_folder_goes_is_a_message(bars_run: Path, tmp_path: Path) -> None:
    run = _copy(bars_run, tmp_path)
    (run / files.EXPORT_DIR).write_text("not a folder")
    result = _export(run)
    assert result.exit_code == 1 and "is a file, not a folder" in result.output


def test_force_over_a_linked_format_folder_replaces_the_link_itself(
    bars_run: Path, tmp_path: Path
) -> None:
    run, outside = _copy(bars_run, tmp_path), tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not dlcli's")
    (run / files.EXPORT_DIR).mkdir()
    (run / files.EXPORT_DIR / "onnx").symlink_to(outside)
    assert _export(run).exit_code == 1  # already there: kept without --force
    result = _export(run, "--force")
    assert result.exit_code == 0, result.output
    onnx = run / files.EXPORT_DIR / "onnx"
    assert onnx.is_dir() and not onnx.is_symlink() and (onnx / "model.onnx").is_file()
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in (run / files.EXPORT_DIR).iterdir()) == ["onnx"]


def test_a_killed_exports_hidden_folders_are_removed(bars_run: Path, tmp_path: Path) -> None:
    run = _copy(bars_run, tmp_path)
    for leftover in (".onnx-incomplete-x1y2", ".tflite-replaced-4242"):
        (run / files.EXPORT_DIR / leftover).mkdir(parents=True)
        (run / files.EXPORT_DIR / leftover / "model.onnx").write_bytes(b"half")
    assert _export(run).exit_code == 0
    assert sorted(p.name for p in (run / files.EXPORT_DIR).iterdir()) == ["onnx"]


def _fill(disk: Path, leave: int) -> None:
    """Fill the file system, then give back `leave` bytes (whole 4 KiB pages)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    os.truncate(filler, max(filler.stat().st_size - leave, 0))


@pytest.mark.parametrize("room", ["none", "for_the_model_only"])
def test_a_full_disk_is_named_as_such(bars_run: Path, tmp_path: Path, room: str) -> None:
    """No room at all: the converter's own write fails (it used to be blamed on the
    model); room for model.onnx but not metadata.json: an OSError traceback before."""
    reference = _copy(bars_run, tmp_path)
    assert _export(reference).exit_code == 0
    model_bytes = (reference / files.EXPORT_DIR / "onnx" / "model.onnx").stat().st_size
    run_bytes = sum(p.stat().st_size for p in reference.rglob("*") if p.is_file())
    with small_disk(tmp_path, str(run_bytes + (4 << 20))) as disk:
        run = _copy(bars_run, disk)
        (run / files.EXPORT_DIR).mkdir()
        _fill(disk, 0 if room == "none" else -(-model_bytes // 4096) * 4096)
        result = _export(run)
        assert result.exit_code == 1, result.output
        assert "the disk is full" in result.output and "nothing was written" in result.output
        assert "cannot export this model" not in result.output
        assert list((run / files.EXPORT_DIR).iterdir()) == []


def test_the_file_size_limit_is_named_as_such(bars_run: Path, tmp_path: Path) -> None:
    run = _copy(bars_run, tmp_path)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    done = subprocess.run([sys.executable, "-m", "dlcli", "export", str(run), "-f", "onnx"],
                          capture_output=True, text=True, env=_env(), preexec_fn=small_files,
                          timeout=300)  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert "a file exceeds the file-size limit" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert list((run / files.EXPORT_DIR).iterdir()) == []


def test_an_interrupted_export_says_so_and_leaves_nothing(bars_run: Path, tmp_path: Path) -> None:
    run = _copy(bars_run, tmp_path)
    export = subprocess.Popen([sys.executable, "-m", "dlcli", "export", str(run), "-f",
                               "saved_model"], stderr=subprocess.PIPE, text=True,
                              env=_env())  # fmt: skip
    deadline = time.monotonic() + 240
    while not list((run / files.EXPORT_DIR).glob(".saved_model-incomplete-*")):
        assert export.poll() is None and time.monotonic() < deadline, "no export started"
        time.sleep(0.02)
    export.send_signal(signal.SIGINT)
    _, stderr = export.communicate(timeout=120)
    assert export.returncode == 130, stderr[-2000:]
    assert "export interrupted" in stderr and "Traceback" not in stderr
    assert list((run / files.EXPORT_DIR).iterdir()) == []


def _held(run: Path) -> subprocess.Popen:
    """Another process holding the run's lock, as a resume training it does."""
    code = ("import sys\nfrom pathlib import Path\nfrom dlcli.runs.rundir import RunDir\n"
            "with RunDir(Path(sys.argv[1])).locked():\n    print('held', flush=True)\n"
            "    sys.stdin.read()\n")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code, str(run)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=_env())  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_export_and_serve_refuse_a_run_training_again(bars_run: Path, tmp_path: Path) -> None:
    from dlcli.serving.server import bind, build_server

    run = _copy(bars_run, tmp_path)
    holder = _held(run)
    try:
        result = _export(run)
        assert result.exit_code == 1 and "another dlcli process holds its lock" in result.output
        with pytest.raises(RunDirError, match="another dlcli process holds its lock"):
            build_server(run, bind("127.0.0.1", 0))
    finally:
        holder.communicate("", timeout=30)
    assert not (run / files.EXPORT_DIR).exists()


def test_export_and_serve_refuse_a_run_that_is_not_completed(
    bars_run: Path, tmp_path: Path
) -> None:
    """A completed run resumed for more epochs and interrupted keeps the old model.keras."""
    from dlcli.serving.server import bind, build_server

    run = _copy(bars_run, tmp_path)
    RunDir(run).set_status(files.INTERRUPTED, reason="interrupted by the user (SIGINT)")
    result = _export(run)
    assert result.exit_code == 1 and "the run is interrupted" in result.output
    with pytest.raises(RunDirError, match="the run is interrupted"):
        build_server(run, bind("127.0.0.1", 0))


def test_errno_of_a_full_disk_reads_as_a_full_disk() -> None:
    from dlcli.export.exporter import _disk_full

    wrapped = RuntimeError("conversion failed")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    assert _disk_full(wrapped) == "the disk is full"
    assert _disk_full(RuntimeError("tf: File too large")) == "a file exceeds the file-size limit"
    assert _disk_full(ValueError("unsupported op")) is None
