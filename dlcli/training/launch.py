"""Data-parallel training as the Python API asks for it: `request.processes` > 1 starts
the job's processes on this host; a joined `request.job` makes this process one of them.

The workers themselves are in `dlcli.training.distributed`; this module checks the
request, starts or joins the job, and hands back the run as a `Run`.

Each local worker is a fresh Python process (JAX fixes its distributed state at start-up,
so the workers cannot be threads of this one), so its request crosses a process boundary:
`WorkerTask` writes it as one JSON argument and reads it back in the worker
(`python -m dlcli.cli.worker`), the one place that knows that format.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dlcli.config.loader import LoadedConfig, load_config
from dlcli.errors import UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import Job
from dlcli.trained.run_handle import Run
from dlcli.training.request import Output, TrainRequest

WORKER_MODULE = "dlcli.cli.worker"  # `python -m` this, with a WorkerTask's JSON


@dataclass(frozen=True)
class WorkerTask:
    """What one local worker of a job trains: its config and request, as plain values."""

    config: str | None
    overrides: list[str]
    runs_dir: str
    name: str | None
    resume: str | None
    progress: str
    verbose: bool
    job: tuple[str, int, int]  # coordinator, processes, this worker's id

    @classmethod
    def of(cls, config: Path | None, overrides: list[str], request: TrainRequest, job: Job):
        # One progress display: process 0's; the launcher shows the result.
        progress = request.output.progress if job.writes else "none"
        return cls(
            None if config is None else str(config), list(overrides), str(request.runs_dir),
            request.name, None if request.resume is None else str(request.resume),
            "lines" if progress == "bar" else progress, request.output.verbose,
            (str(job.coordinator), job.num_processes, job.process_id),
        )  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> WorkerTask:
        fields = json.loads(text)
        return cls(**{**fields, "job": tuple(fields["job"])})

    def request(self, stream) -> TrainRequest:
        """The worker's own request: the job it is in, its output on `stream`."""
        return TrainRequest(
            runs_dir=Path(self.runs_dir), name=self.name,
            resume=None if self.resume is None else Path(self.resume),
            output=Output(self.progress, stream, self.verbose), job=Job(*self.job),
        )  # fmt: skip


def train_distributed(config, overrides: list[str], request: TrainRequest) -> Run:
    """Train as one process of a job (a joined `request.job`) or start
    `request.processes` workers here."""
    from dlcli.training import distributed

    if isinstance(config, LoadedConfig) or (request.job.joined and request.processes != 1):
        raise UsageError("--processes takes a config file, and does not go with --coordinator "
                         "(it starts the job's processes itself)")  # fmt: skip
    path = None if config is None else Path(str(config))
    if request.job.joined:
        return _join(distributed, path, overrides, request)
    resume = request.resume
    loaded = load_config(path or Path(str(resume)) / files.CONFIG_FILE, overrides)
    distributed.check_job_config(loaded, request.processes)  # every mistake before any start
    started = time.perf_counter()
    commands = [
        [WORKER_MODULE, "train", WorkerTask.of(path, overrides, request, job).to_json()]
        for job in distributed.local_jobs(request.processes)
    ]
    written = distributed.launch(commands, Path(request.runs_dir), resume, request.output.stream)
    run = Run.open(written)
    run.seconds = time.perf_counter() - started
    run.device = RunDir.open(run.path).read_json_optional(files.ENV_FILE).get("device")
    return run


def _join(distributed, path: Path | None, overrides: list[str], request: TrainRequest):
    if request.resume is not None:
        return distributed.resume_worker(request.resume, path, overrides, request)
    if path is None:
        raise UsageError("give a config file to train, or --resume RUN_DIR")
    return distributed.train_worker(load_config(path, overrides), request)
