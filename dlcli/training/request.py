"""One training's settings besides its config, normalised once and carried whole.

The API (`dlcli.api.train`) builds a `TrainRequest` from what the user typed; the runner,
`--resume`, the local launcher and every worker of a job receive it as it is, instead of
a long list of positional settings re-threaded at each step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dlcli.runtime.backend import SOLO, Job


@dataclass
class Output:
    """How a command shows progress: `bar` (a terminal), `lines` (logs) or `none`."""

    progress: str = "lines"
    stream: Any = None  # where progress goes; None: stdout
    verbose: bool = False
    prefix: str = ""  # before each progress line, e.g. "[3/12 adam s1] " in a comparison
    resume_hint: str | None = None  # how to continue after Ctrl-C; None: `train --resume RUN`

    def quiet(self) -> Output:
        """The same settings without progress (the job's other processes, scratch runs)."""
        return replace(self, progress="none")


@dataclass(frozen=True)
class TrainRequest:
    """Where a training writes, how it reports, who follows it and which job it is in."""

    runs_dir: Path = Path("runs")
    name: str | None = None  # run name prefix; None: the config's name
    resume: Path | None = None  # continue this run instead of starting one
    output: Output = field(default_factory=Output)
    trackers: tuple = ()  # observers (dlcli.training.observers), e.g. an MLflow tracker
    job: Job = SOLO  # this process's place in a data-parallel job
    processes: int = 1  # > 1: start this many local processes of one job (training.launch)

    @property
    def distributed(self) -> bool:
        return self.processes != 1 or self.job.joined

    def but(self, **changes: Any) -> TrainRequest:
        """A copy with some settings changed (a worker's own runs dir, a quiet output)."""
        return replace(self, **changes)
