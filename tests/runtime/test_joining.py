"""Joining a job fails cleanly (dlcli.runtime.joining): a coordinator port another
program holds, and a peer that never arrives, end every process with one message within
the documented join bound (backend.JOIN_TIMEOUT), never a signal death or a silent wait."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dlcli.runtime.backend import JOIN_TIMEOUT
from tests.helpers.files import write
from tests.helpers.processes import DISTRIBUTED_CONFIG, offline_env
from tests.helpers.servers import free_port

STARTUP = 300  # seconds a process may take to start and load its data on a busy machine


@contextlib.contextmanager
def taken_port():
    """A port on 127.0.0.1 that another program listens on (not a coordinator). With
    SO_REUSEADDR, as servers usually set it: JAX's coordinator then died with SIGSEGV
    (without it, its gRPC server reported "Failed to start RPC server")."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _process(folder: Path, port: int, index: int) -> subprocess.Popen:
    pytest.importorskip("jax", reason='needs the jax backend: pip install "dlcli[jax]"')
    config = write(folder / "dp.yaml", DISTRIBUTED_CONFIG)
    argv = [sys.executable, "-m", "dlcli", "train", str(config), "--backend", "jax",
            "--runs-dir", str(folder / f"runs{index}"), "--coordinator", f"127.0.0.1:{port}",
            "--num-processes", "2", "--process-id", str(index)]  # fmt: skip
    return subprocess.Popen(argv, env=offline_env(folder), cwd=folder, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _ended_with_a_message(process: subprocess.Popen, within: float) -> str:
    """Its one `error:` line, once it ended (killed, failing, after `within` seconds)."""
    try:
        _, stderr = process.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"still running after {within:.0f} s: {stderr[-2000:]}")
    assert process.returncode == 1, f"exit {process.returncode}: {stderr[-3000:]}"
    assert "Traceback" not in stderr and "Check failure" not in stderr, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr[-3000:]
    return errors[0]


def test_a_taken_coordinator_port_is_refused_by_process_0(tmp_path: Path) -> None:
    with taken_port() as port:
        message = _ended_with_a_message(_process(tmp_path, port, 0), within=STARTUP)
    assert f"port {port} is already in use" in message, message
    assert not (tmp_path / "runs0").exists()  # refused before anything was written


@pytest.mark.slow
def test_every_process_of_a_job_on_a_taken_port_ends_with_a_message(tmp_path: Path) -> None:
    """Process 1 waits for a coordinator that never answers: the join bound, then out."""
    with taken_port() as port:
        first, second = _process(tmp_path, port, 0), _process(tmp_path, port, 1)
        assert "already in use" in _ended_with_a_message(first, within=STARTUP)
        # the message is join_deadline's, at JOIN_TIMEOUT s into the join; JAX's own end
        # (JOIN_ABORT_LATER s after) would be SIGABRT and a C++ stack
        message = _ended_with_a_message(second, within=JOIN_TIMEOUT + STARTUP)
    assert f"could not join the job at 127.0.0.1:{port} within {JOIN_TIMEOUT} s" in message


@pytest.mark.slow
def test_process_0_whose_peer_never_arrives_ends_with_a_message(tmp_path: Path) -> None:
    port = free_port()
    message = _ended_with_a_message(_process(tmp_path, port, 0), within=JOIN_TIMEOUT + STARTUP)
    assert f"not all 2 processes joined the job at 127.0.0.1:{port} within" in message
    assert not (tmp_path / "runs0").exists()
