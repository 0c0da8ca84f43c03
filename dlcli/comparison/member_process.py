"""The child's side of `dlcli.comparison.child`: train one member of a comparison.

    python -m dlcli.comparison.member_process COMPARE_DIR MEMBER [--quiet]
        [--coordinator HOST:PORT --num-processes N --process-id I]

The member is prepared exactly as `members.prepare` prepares it in-process (the same
data split, from the base config's seed), then trained into the comparison directory
under its own name; with the job options, as one process of a data-parallel job. The
parent reads the outcome from the run directory; errors end in one line and the exit
code the CLI would give.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dlcli.comparison.members import prepare
from dlcli.comparison.plan import load_plan
from dlcli.errors import EXIT_INTERRUPTED, EXIT_USAGE, DlcliError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.training.runner import Output, TrainResult


def train_member(compare_path: Path, member_name: str, quiet: bool, job=None) -> TrainResult:
    """Prepare and train one member of the comparison at `compare_path`, in this process."""
    from dlcli.training.distributed import train_worker
    from dlcli.training.runner import train_on

    compare = RunDir(compare_path)
    plan = load_plan(compare)
    plan.members = [m for m in plan.members if m.name == member_name]
    if not plan.members:
        raise DlcliError(f"{compare_path}: has no member named {member_name!r}")
    plan.members[0].state = "pending"  # prepare() skips completed members
    loaded, dataset = prepare(compare.file(files.CONFIG_FILE), [], plan)[member_name]
    output = Output("none" if quiet else "lines", prefix=f"[{member_name}] ",
                    resume_hint=f"dlcli compare --resume {compare.path}")  # fmt: skip
    if job is not None:
        return train_worker(loaded, job, compare.path, member_name, output, dataset=dataset)
    return train_on(loaded, dataset, compare.path, member_name, output)


def main(argv: list[str]) -> int:
    from dlcli.training.distributed import job_from

    quiet = "--quiet" in argv
    words = [word for word in argv if word != "--quiet"]
    options = dict(zip(words[2::2], words[3::2], strict=False))
    if len(words) < 2:
        print(__doc__, file=sys.stderr)
        return EXIT_USAGE
    try:
        job = job_from(options.get("--coordinator"), _int(options.get("--num-processes")),
                       _int(options.get("--process-id")))  # fmt: skip
        train_member(Path(words[0]), words[1], quiet, job)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except DlcliError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
