"""Data-parallel training across processes: `dlcli train CONFIG --processes N`, or one
process of a job spanning hosts (`--coordinator HOST:PORT --num-processes N --process-id I`,
or the DLCLI_COORDINATOR / DLCLI_NUM_PROCESSES / DLCLI_PROCESS_ID environment variables).

Built on Keras's distribution API on the JAX backend (`backend.join_job`, `DataParallel`):
every process holds the whole model and feeds its own shard of every global batch (the
config's batch_size is the global batch); gradients are averaged across processes, so
all processes keep identical weights. Process 0 alone writes the run directory; the
others write into a private scratch folder that is removed when they end.

`launch` is the local launcher: it starts N copies of `dlcli train` on this host with a
free coordinator port, streams their output, and watches them. If one process dies, the
others are given DEAD_PEER_GRACE seconds to stop on their own, then stopped, and the run
is marked failed, naming the process: a job never hangs on a dead peer. Ctrl-C stops
them all, and the run can be resumed with the same or another number of processes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from dlcli.config.loader import LoadedConfig
from dlcli.errors import DistributedError, Interrupted, UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import Job, refuse_processes
from dlcli.trained.run_handle import Run
from dlcli.training.request import TrainRequest
from dlcli.training.runner import load_checked_data, train_on

DEAD_PEER_GRACE = 10.0  # seconds the others get to stop by themselves after one failed
STOP_GRACE = 15.0  # after Ctrl-C / SIGTERM: seconds to record the interruption, then kill
INTERRUPT_PATIENCE = 5.0  # after Ctrl-C: seconds before the processes are signalled again
ENV_VARS = ("DLCLI_COORDINATOR", "DLCLI_NUM_PROCESSES", "DLCLI_PROCESS_ID")
WORKER_DIR_ENV = "DLCLI_WORKER_DIR"  # keep the other processes' run directories here


def job_from(coordinator: str | None, num_processes: int | None, process_id: int | None):
    """The job this process joins, from the options (typer also reads ENV_VARS), or None."""
    given = [coordinator is not None, num_processes is not None, process_id is not None]
    if not any(given):
        return None
    if not all(given):
        raise UsageError(
            "joining a distributed job needs all three of --coordinator HOST:PORT, "
            "--num-processes N and --process-id I (or DLCLI_COORDINATOR, "
            "DLCLI_NUM_PROCESSES, DLCLI_PROCESS_ID)"
        )
    host, _, port = str(coordinator).rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--coordinator {coordinator!r}: expected HOST:PORT, e.g. 10.0.0.1:7777")
    if not int(num_processes) >= 1 or not 0 <= int(process_id) < int(num_processes):
        raise UsageError(
            f"--process-id {process_id} must be between 0 and --num-processes - 1 "
            f"({int(num_processes) - 1})"
        )
    return Job(str(coordinator), int(num_processes), int(process_id))


def check_job_config(loaded: LoadedConfig, processes: int) -> None:
    """What a job of `processes` needs of the config, checked before anything starts."""
    train = loaded.config.train
    if train.backend != "jax":
        refuse_processes()
    if train.distribute != "none":
        raise UsageError(
            "train.distribute: mirrored splits batches over one process's devices; with "
            "--processes every process already holds one replica: use one or the other"
        )
    if train.batch_size % processes:
        raise UsageError(
            f"train.batch_size {train.batch_size} is the global batch and must divide "
            f"evenly among {processes} processes "
            f"(e.g. {max(train.batch_size // processes, 1) * processes})"
        )


def train_worker(
    loaded: LoadedConfig, request: TrainRequest, resume_from: RunDir | None = None, dataset=None
) -> Run:
    """Train as process `request.job.process_id` of the job, on this process's shard (of
    `dataset`, or of the config's data)."""
    job = request.job
    check_job_config(loaded, job.num_processes)
    dataset = shard(dataset if dataset is not None else load_checked_data(loaded), job)
    if job.writes:
        return train_on(loaded, dataset, request, resume_from=resume_from)
    with _worker_dir() as scratch:
        return train_on(loaded, dataset, _scratch_request(request, scratch))


def _scratch_request(request: TrainRequest, scratch: str) -> TrainRequest:
    """A process other than 0: its private run directory, no progress of its own."""
    return request.but(runs_dir=Path(scratch), output=request.output.quiet())


@contextlib.contextmanager
def _worker_dir():
    """Where a process other than 0 writes its private run directory: WORKER_DIR_ENV
    if set (kept, e.g. to check the processes ended with the same weights), else a
    temporary folder removed at the end."""
    kept = os.environ.get(WORKER_DIR_ENV)
    if kept:
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="dlcli-worker-") as scratch:
        yield scratch


def shard(dataset, job: Job):
    """This process's share of every split: every N-th sample, all shards of one length
    (at most N-1 samples of a split are left out, so every process runs the same steps)."""
    n, i = job.num_processes, job.process_id
    for split in ("train", "val", "test"):
        x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        if x is None:
            continue
        if len(x) < n:
            raise UsageError(f"the {split} split has {len(x)} samples, fewer than {n} processes")
        keep = len(x) // n * n
        setattr(dataset, f"x_{split}", x[i:keep:n])
        setattr(dataset, f"y_{split}", y[i:keep:n])
    dataset.info = {**dataset.info, "shard": f"every {n}th sample from {i} (process {i} of {n})"}
    return dataset


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for the local job's coordinator."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_jobs(processes: int) -> list[Job]:
    """The places of a job of `processes` on this host, around a free coordinator port."""
    if processes < 2:
        raise UsageError("--processes must be at least 2 (1 is a plain `dlcli train`)")
    coordinator = f"127.0.0.1:{free_port()}"
    return [Job(coordinator, processes, index) for index in range(processes)]


def launch(
    commands: list[list[str]], runs_dir: Path, resume: Path | None, stream=None
) -> Path:
    """Run `python -m COMMAND` for each command, the processes of one job (process 0's
    first); return the run directory process 0 wrote in `runs_dir`. Their output goes to
    `stream` (default stdout; stderr when stdout is for --json)."""
    processes = len(commands)
    before = _run_dirs(runs_dir)
    stream = stream or sys.stdout
    workers = [_start(command, stream) for command in commands]
    try:
        failure = _watch(workers)
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches every process of the group: give them time to
        # record the interruption before a second signal would cut that short.
        _stop(workers, signal.SIGINT, patience=INTERRUPT_PATIENCE)
        run = resume or _written_by(runs_dir, before, workers[0].pid)
        where = f"; resume with: dlcli train --resume {run} --processes N" if run else ""
        raise Interrupted(f"interrupted: all {processes} processes stopped{where}") from None
    run = resume or _written_by(runs_dir, before, workers[0].pid)
    if failure is not None:
        _mark_failed(run, failure)
        raise DistributedError(failure + (f"; the run {run} is marked failed" if run else ""))
    if run is None:
        raise DistributedError("the job ended without writing a run directory")
    return run


def _start(command: list[str], stream):
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    worker = subprocess.Popen([sys.executable, "-m", *command], env=env,
                              stdout=subprocess.PIPE, text=True, bufsize=1)  # fmt: skip
    threading.Thread(target=_forward, args=(worker.stdout, stream), daemon=True).start()
    return worker


def _forward(lines, stream) -> None:
    """A worker's output, minus gloo's connection notes (printed by its C++ straight to
    stdout, they would break --json and say nothing a user needs)."""
    for line in lines:
        if not line.startswith("[Gloo]"):
            stream.write(line)
            stream.flush()


def _watch(workers: list[subprocess.Popen]) -> str | None:
    """Wait for every process; return what went wrong, or None if all succeeded."""
    failed_at, failure = None, None
    while True:
        codes = [worker.poll() for worker in workers]
        if all(code is not None for code in codes):
            return failure if failure or not any(codes) else _describe(codes)
        if failure is None and any(code not in (None, 0) for code in codes):
            failed_at, failure = time.monotonic(), _describe(codes)
        if failure is not None and time.monotonic() - failed_at > DEAD_PEER_GRACE:
            _stop(workers, signal.SIGTERM)
            return failure + f"; the other processes were stopped after {DEAD_PEER_GRACE:.0f} s"
        time.sleep(0.2)


def _describe(codes: list[int | None]) -> str:
    index, code = next((i, c) for i, c in enumerate(codes) if c not in (None, 0))
    how = (f"was killed by {signal.Signals(-code).name}" if code < 0
           else f"exited with code {code}")  # fmt: skip
    return f"process {index} of {len(codes)} {how}"


def _stop(workers: list[subprocess.Popen], first: signal.Signals, patience: float = 0) -> None:
    """Ask each process still running after `patience` seconds to stop (it records the
    interruption), then kill what still runs after STOP_GRACE."""
    deadline = time.monotonic() + patience
    while patience and time.monotonic() < deadline and any(w.poll() is None for w in workers):
        time.sleep(0.2)
    for worker in workers:
        if worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                worker.send_signal(first)
    deadline = time.monotonic() + STOP_GRACE
    for worker in workers:
        try:
            worker.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:  # blocked in a collective with a dead peer
            worker.kill()
            worker.wait()


def _run_dirs(runs_dir: Path) -> set[Path]:
    return set(runs_dir.iterdir()) if runs_dir.is_dir() else set()


def _written_by(runs_dir: Path, before: set[Path], pid: int) -> Path | None:
    """The run directory process 0 created (its status.json names its pid)."""
    for path in sorted(_run_dirs(runs_dir) - before):
        with contextlib.suppress(Exception):
            if RunDir(path).read_json(files.STATUS_FILE).get("pid") == pid:
                return path
    return None


def _mark_failed(run: Path | None, reason: str) -> None:
    if run is None:
        return
    with contextlib.suppress(Exception):
        directory = RunDir(run)
        if directory.read_json(files.STATUS_FILE).get("state") != files.COMPLETED:
            directory.set_status(files.FAILED, reason=reason)


def resume_worker(
    run_path: Path, config: Path | None, overrides: list[str], request: TrainRequest
) -> Run:
    """`--resume RUN` as one process of a job: process 0 checks the run may resume and
    continues it; the others start from a private copy of its checkpoint."""
    from dlcli.config.loader import load_config
    from dlcli.training.resume import check_resumable

    job = request.job
    run = RunDir.open(run_path)
    if job.writes:
        loaded = check_resumable(run, config, overrides)
        return train_worker(loaded, request, resume_from=run)
    loaded = load_config(config or run.file(files.CONFIG_FILE), overrides)
    check_job_config(loaded, job.num_processes)
    dataset = shard(load_checked_data(loaded), job)
    with _worker_dir() as scratch:
        copy = RunDir(Path(scratch) / f"{run.path.name}-process{job.process_id}")
        copy.path.mkdir(parents=True)
        if run.file(files.CHECKPOINT_DIR).is_dir():  # only it is read; no epoch ends meanwhile
            shutil.copytree(run.file(files.CHECKPOINT_DIR), copy.file(files.CHECKPOINT_DIR))
        return train_on(loaded, dataset, _scratch_request(request, scratch), resume_from=copy)
