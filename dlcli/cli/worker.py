"""The entry point of the processes dlcli starts itself, not a command users type:

    python -m dlcli.cli.worker train TASK_JSON    one process of a local data-parallel job
                                                  (dlcli.training.launch.WorkerTask)
    python -m dlcli.cli.worker member TASK_JSON   one comparison member in a child process
                                                  (dlcli.comparison.child.MemberTask)

The process that started it shows the result; a worker prints only its progress, and its
errors as every command does (`options.reported`: one message, the error's exit code).
"""

from __future__ import annotations

import sys

import typer

from dlcli.cli.options import reported
from dlcli.errors import EXIT_INTERRUPTED, EXIT_USAGE


def _train(text: str) -> None:
    from dlcli.api.workflows import train_request
    from dlcli.training.launch import WorkerTask

    task = WorkerTask.from_json(text)
    with reported(task.verbose):
        train_request(task.config, task.overrides, task.request(sys.stdout))


def _member(text: str) -> None:
    from dlcli.comparison.child import MemberTask
    from dlcli.comparison.member_process import train_member

    with reported(False):
        train_member(MemberTask.from_json(text))


KINDS = {"train": _train, "member": _member}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in KINDS:
        print(__doc__, file=sys.stderr)
        return EXIT_USAGE
    try:
        KINDS[argv[0]](argv[1])
    except typer.Exit as done:
        return done.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
