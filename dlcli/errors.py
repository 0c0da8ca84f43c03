"""The one exception tree of dlcli.

Every mistake a user can make is raised as a `DlcliError`; only the CLI package turns
it into a message on stderr and an exit code (`dlcli.cli.options.reported`). Below the
CLI an error is caught only to record it: a failed run writes its reason to status.json
and raises it on (training.runner); a comparison member that failed is recorded as a
result while the others go on (comparison.members, comparison.child). Anything else that
escapes is a bug in dlcli and is shown as one (with a traceback under --verbose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXIT_FAILURE = 1  # the run itself failed (data, model, disk, numerical trouble)
EXIT_USAGE = 2  # the config or the command line is wrong: nothing was run
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM, as shells report SIGINT


def first_line(error: BaseException) -> str:
    """The line of an exception that says what is wrong. Keras wraps a layer's error as
    "Exception encountered when calling X.call()." + the real cause + the arguments;
    TensorFlow's errors can run to pages."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        return f"{lines[0].removeprefix('Exception encountered when calling ')} {lines[1]}"
    return lines[0] if lines else type(error).__name__


class DlcliError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = EXIT_FAILURE


@dataclass(frozen=True)
class Problem:
    """One config problem, pointing at the YAML node it is about."""

    path: str  # dotted key path, e.g. "train.epochs" or "model.layers[0].Dense.units"
    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        key = f"{self.path}: " if self.path else ""
        return f"{where}{key}{self.message}"


class ConfigError(DlcliError):
    """The config (file or --set overrides) is invalid. Holds every problem found."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(DlcliError):
    """A command-line argument is wrong (missing file, bad option value)."""

    exit_code = EXIT_USAGE


class DataError(DlcliError):
    """A dataset cannot be found, read, or does not fit the config."""


class ModelError(DlcliError):
    """The model cannot be built, compiled, loaded or does not fit the data.

    `key`: the config key path the error is about, e.g. ("model", "nodes", 2), when
    there is one; training prefixes the message with that key's file position.
    """

    def __init__(self, message: str, key: tuple[str | int, ...] = ()):
        super().__init__(message)
        self.key = key


class RunDirError(DlcliError):
    """A run directory is missing, not a run, incomplete, or cannot be written."""


class DeviceError(DlcliError):
    """The requested device (e.g. gpu) is not available."""


class BackendError(DlcliError):
    """The Keras backend asked for is not installed, or cannot do what was asked."""

    exit_code = EXIT_USAGE


class DistributedError(DlcliError):
    """A data-parallel job could not start, or one of its processes failed."""


class TrainingError(DlcliError):
    """Training stopped on its own account (e.g. the loss became NaN)."""


class Interrupted(DlcliError):
    """The user interrupted a run (Ctrl-C or SIGTERM)."""

    exit_code = EXIT_INTERRUPTED
