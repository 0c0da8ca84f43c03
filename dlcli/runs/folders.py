"""Folders a command builds inside a run (RUN/export/<format>/), through RunDir.file.

A folder is written under a hidden scratch name (`.<name>-incomplete-<random>`), then
moved into place; the folder it replaces waits under `.<name>-replaced-<pid>` until the
new one is in. Every path is resolved by RunDir.file, so a link planted where a folder
should be is refused (or, being replaced, removed as a link), never followed, and
nothing is written outside the run. What a killed process left under those hidden
names is removed by the next one (`clean_leftovers`, called under the run's lock).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dlcli.errors import RunDirError
from dlcli.runs.rundir import RunDir, why

INCOMPLETE = "-incomplete-"
REPLACED = "-replaced-"


def folder(run: RunDir, name: str) -> Path:
    """RUN/name as a folder, made if missing; a link or a file in its place is refused."""
    path = run.file(name)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise RunDirError(
            f"{path} is a file, not a folder; dlcli keeps its exports in that folder: "
            "move the file away"
        ) from None
    except OSError as error:
        raise RunDirError(f"cannot make {path}: {why(error)}") from None
    return path


def scratch(run: RunDir, parent: str, name: str) -> str:
    """A new hidden folder in RUN/parent to build `name` in; its name inside the run."""
    root = folder(run, parent)
    try:
        made = tempfile.mkdtemp(prefix=f".{name}{INCOMPLETE}", dir=root)
    except OSError as error:
        raise RunDirError(f"cannot make a folder in {root}: {why(error)}") from None
    return f"{parent}/{Path(made).name}"


def entry(run: RunDir, name: str) -> Path:
    """RUN/name with its folders checked by RunDir.file but its last part taken as it is
    (a link there is to be seen or removed, not refused)."""
    return run.file(str(Path(name).parent)) / Path(name).name


def exists(run: RunDir, name: str) -> bool:
    """Whether anything (a folder, a file, a link, even a dangling one) is at RUN/name."""
    return os.path.lexists(entry(run, name))


def remove(run: RunDir, name: str) -> None:
    """Delete RUN/name, whatever it is: a link itself, never what it points at."""
    path = entry(run, name)
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path)  # which removes links inside as links too
    except OSError as error:
        raise RunDirError(f"cannot remove {path}: {why(error)}") from None


def clean_leftovers(run: RunDir, parent: str) -> None:
    """Remove the scratch and replaced folders a killed process left in RUN/parent."""
    root = run.file(parent)
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.name.startswith(".") and (INCOMPLETE in entry.name or REPLACED in entry.name):
            remove(run, f"{parent}/{entry.name}")


def move_into_place(run: RunDir, built: str, final: str) -> None:
    """Replace RUN/final by the folder RUN/built; what was there goes only after."""
    source, target = run.file(built), entry(run, final)
    old = f"{Path(final).parent}/.{target.name}{REPLACED}{os.getpid()}"
    try:
        if os.path.lexists(target):
            os.replace(target, entry(run, old))
        os.replace(source, target)
    except OSError as error:
        if exists(run, old) and not os.path.lexists(target):
            os.replace(entry(run, old), target)
        raise RunDirError(f"{target}: cannot move the new folder in ({why(error)})") from None
    remove(run, old)
