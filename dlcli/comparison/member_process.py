"""The child's side of `dlcli.comparison.child`: train one member of a comparison.

A child is started as `python -m dlcli.cli.worker member TASK_JSON` (a `child.MemberTask`). The
member is prepared exactly as `members.prepare` prepares it in-process (the same data
split, from the base config's seed), then trained into the comparison directory under its
own name; with a job, as one process of a data-parallel job. The parent reads the outcome
from the run directory; errors end in one line and the exit code the CLI would give
(printed by `dlcli.cli.worker`).
"""

from __future__ import annotations

from pathlib import Path

from dlcli.comparison.child import MemberTask
from dlcli.comparison.members import prepare
from dlcli.comparison.plan import load_plan
from dlcli.errors import DlcliError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import SOLO, Job
from dlcli.trained.run_handle import Run
from dlcli.training.request import Output, TrainRequest


def train_member(task: MemberTask) -> Run:
    """Prepare and train one member of the comparison at `task.compare_dir`, here."""
    from dlcli.training.distributed import train_worker
    from dlcli.training.runner import train_on

    compare = RunDir(Path(task.compare_dir))
    plan = load_plan(compare)
    plan.members = [m for m in plan.members if m.name == task.member]
    if not plan.members:
        raise DlcliError(f"{task.compare_dir}: has no member named {task.member!r}")
    plan.members[0].state = "pending"  # prepare() skips completed members
    loaded, dataset = prepare(compare.file(files.CONFIG_FILE), [], plan)[task.member]
    output = Output("none" if task.quiet else "lines", prefix=f"[{task.member}] ",
                    resume_hint=f"dlcli compare --resume {compare.path}")  # fmt: skip
    job = Job(*task.job) if task.job[0] is not None else SOLO
    request = TrainRequest(runs_dir=compare.path, name=task.member, output=output, job=job)
    if job.joined:
        return train_worker(loaded, request, dataset=dataset)
    return train_on(loaded, dataset, request)
