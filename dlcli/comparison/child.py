"""Comparison members trained in child processes.

Keras fixes its backend at its first import, so a comparison that varies
`train.backend` cannot train all its members in one process; nor can members trained
data-parallel (`--processes N`). Such members each run in a child process,
`python -m dlcli.cli.worker member TASK` (`member_process`), which prepares exactly that member
as an in-process comparison would (same data split, from the base config's seed) and
trains it into the comparison directory. The parent keeps the manifest: it records the
outcome from the member's run directory, so compare.json, --resume and the outputs
are the same as for members trained in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict, astuple, dataclass
from pathlib import Path

from dlcli.comparison.plan import Member, Plan, save_plan
from dlcli.errors import EXIT_INTERRUPTED, DlcliError, Interrupted
from dlcli.runs import rundir as files
from dlcli.runs.records import epochs_recorded
from dlcli.runs.rundir import RunDir
from dlcli.training.request import Output

WORKER_MODULE = "dlcli.cli.worker"  # `python -m` this with "member" and a MemberTask's JSON


@dataclass(frozen=True)
class MemberTask:
    """One member for a child process: where, which, how loud, and its job, if any."""

    compare_dir: str
    member: str
    quiet: bool
    job: tuple[str | None, int, int] = (None, 1, 0)

    def command(self) -> list[str]:
        """What follows `python -m` to start the child; `from_json` reads it back."""
        return [WORKER_MODULE, "member", json.dumps(asdict(self))]

    @classmethod
    def from_json(cls, text: str) -> MemberTask:
        fields = json.loads(text)
        return cls(**{**fields, "job": tuple(fields["job"])})


def needs_children(prepared: dict, processes: int) -> bool:
    """True when the members cannot all train in this process: several backends, a
    backend other than the one Keras already runs on here, or several processes each."""
    from dlcli.runtime.bootstrap import active_backend

    backends = {loaded.config.train.backend for loaded, _ in prepared.values()}
    active = active_backend()
    return processes > 1 or len(backends) > 1 or (active is not None and backends != {active})


def train_in_child(
    compare: RunDir, plan: Plan, member: Member, output: Output, processes: int
) -> None:
    """Train one member in child process(es); record its outcome in the manifest.
    A failure is recorded and the comparison goes on; Ctrl-C stops it."""
    before = set(compare.path.iterdir())
    member.state, member.reason = files.RUNNING, None
    save_plan(compare, plan)
    started = time.perf_counter()
    try:
        error = _run(str(compare.path), member.name, output.progress == "none", processes)
    except (Interrupted, KeyboardInterrupt):
        error = "interrupted"
    created = sorted(p.name for p in set(compare.path.iterdir()) - before if p.is_dir())
    member.run_dir = created[-1] if created else None
    if error == "interrupted":
        member.state, member.reason = files.INTERRUPTED, "interrupted"
        save_plan(compare, plan)
        raise Interrupted(f"interrupted during {member.name}; to continue: "
                          f"dlcli compare --resume {compare.path}")  # fmt: skip
    if error is not None:
        member.state, member.reason = files.FAILED, _reason(compare, member.run_dir, error)
    else:
        history = RunDir(compare.file(member.run_dir)).read_json(files.HISTORY_FILE)
        member.state, member.seconds = files.COMPLETED, round(time.perf_counter() - started, 3)
        member.epochs = epochs_recorded(history) or 0
    save_plan(compare, plan)
    if error is not None and output.progress != "none":
        print(f"{member.name} failed: {member.reason}", file=output.stream or sys.stdout)


def _run(compare_dir: str, name: str, quiet: bool, processes: int) -> str | None:
    """None on success, "interrupted", or what went wrong."""
    if processes > 1:
        from dlcli.training.distributed import launch, local_jobs

        commands = [
            MemberTask(compare_dir, name, quiet or not job.writes, astuple(job)).command()
            for job in local_jobs(processes)
        ]
        try:
            launch(commands, Path(compare_dir), None)
        except Interrupted:
            return "interrupted"
        except DlcliError as error:
            return str(error)
        return None
    code = subprocess.call([sys.executable, "-m", *MemberTask(compare_dir, name, quiet).command()])
    if code == EXIT_INTERRUPTED:
        return "interrupted"
    return None if code == 0 else f"the member's process exited with code {code}"


def _reason(compare: RunDir, run_dir: str | None, fallback: str) -> str:
    """The failure the member's run recorded (e.g. a NaN loss), else the process's."""
    if run_dir is None:
        return fallback
    try:
        return RunDir(compare.file(run_dir)).read_json(files.STATUS_FILE).get("reason") or fallback
    except DlcliError:
        return fallback
