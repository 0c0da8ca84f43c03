"""Data-parallel training as the Python API asks for it: `processes` > 1 starts the job's
processes on this host; a `job` (coordinator, count, id) makes this process one of them.

The workers themselves are in `dlcli.training.distributed`; this module checks the
request, starts or joins the job, and hands back the run as a `Run`.
"""

from __future__ import annotations

import time
from pathlib import Path

from dlcli.config.loader import LoadedConfig, load_config
from dlcli.errors import UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.trained.run_handle import Run


def train_distributed(
    config, overrides, runs_dir, name, resume, output, processes: int, job: tuple
) -> Run:
    """Train as one process of a job (`job` given) or start `processes` workers here."""
    from dlcli.training import distributed

    joined = distributed.job_from(*job)
    if isinstance(config, LoadedConfig) or (joined is not None and processes != 1):
        raise UsageError("--processes takes a config file, and does not go with --coordinator "
                         "(it starts the job's processes itself)")  # fmt: skip
    path = None if config is None else Path(str(config))
    if joined is not None:
        if resume is not None:
            result = distributed.resume_worker(Path(resume), path, overrides, joined, output)
        else:
            loaded = load_config(path, overrides) if path else None
            if loaded is None:
                raise UsageError("give a config file to train, or --resume RUN_DIR")
            result = distributed.train_worker(loaded, joined, runs_dir, name, output)
        return Run(result.run_dir, result.history, result.metrics, result.evaluated_on,
                   result.device, result.seconds)  # fmt: skip
    loaded = load_config(path or Path(resume) / files.CONFIG_FILE, overrides)
    distributed.check_job_config(loaded, processes)  # every mistake before any process starts
    arguments = [str(path)] if path else []
    arguments += [f"--set={item}" for item in overrides] + [f"--runs-dir={runs_dir}"]
    arguments += [f"--name={name}"] if name else []
    arguments += [f"--resume={resume}"] if resume else []
    arguments += ["--quiet"] if output.progress == "none" else []
    arguments += ["--verbose"] if output.verbose else []
    started = time.perf_counter()
    resume_path = Path(resume) if resume else None
    run = Run.open(distributed.launch(["dlcli", "train", *arguments], processes,
                                      Path(runs_dir), resume_path, output.stream))  # fmt: skip
    run.seconds = time.perf_counter() - started
    run.device = RunDir.open(run.path).read_json_optional(files.ENV_FILE).get("device")
    return run
