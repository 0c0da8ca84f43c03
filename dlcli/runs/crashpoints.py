"""Fault injection for the crash tests (tests/e2e/test_crash_points.py, test_disk_full.py):
die, or find the disk full, at a chosen file write.

`DLCLI_CRASH_AT=NAME:PHASE[:N]` acts at the N-th (default: first) write of a run file
named NAME (e.g. `state.json`, `model.keras`, `loss.png`). PHASE `before` or `after`:
the process SIGKILLs itself just before or just after that write, as a power cut or the
OOM killer would: no `finally`, no handler, no flush. PHASE `full`: just before that
write, the file system holding the run is filled to its last byte (a hidden
`.dlcli-disk-filler` file at the root of that file system, left for the test to
remove), so the write and everything after it meet a really full disk. Only for a
scratch file system (a test's tmpfs). `DLCLI_CRASH_TRACE=FILE` appends the name of
every write to FILE, so the test can enumerate them. Both are read once, from the
environment only (never from a config); when neither is set, `ARMED` is False and the
writers skip the hook.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

_AT = os.environ.get("DLCLI_CRASH_AT", "")
_TRACE = os.environ.get("DLCLI_CRASH_TRACE", "")
ARMED = bool(_AT or _TRACE)
FILLER = ".dlcli-disk-filler"

_writes: dict[str, int] = {}  # name -> writes of it so far (counted at "before")


def reached(name: str, phase: str, folder: Path | None = None) -> None:
    """Called by dlcli.runs.rundir around every run-file write (in `folder`) when ARMED."""
    if phase == "before":
        _writes[name] = _writes.get(name, 0) + 1
        if _TRACE:
            with open(_TRACE, "a", encoding="utf-8") as trace:
                trace.write(f"{name}\n")
        if folder is not None and _AT and _AT.split(":") in _targets(name, "full"):
            fill(folder)
    if _AT and _AT.split(":") in _targets(name, phase):
        os.kill(os.getpid(), signal.SIGKILL)


def fill(folder: Path) -> Path:
    """Fill the file system holding `folder` until a write of one byte fails (ENOSPC)."""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    while root.parent != root and root.parent.stat().st_dev == root.stat().st_dev:
        root = root.parent
    filler = root / FILLER
    with open(filler, "ab", buffering=0) as handle:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as error:
                if error.errno not in (errno.ENOSPC, errno.EFBIG):
                    raise
    return filler


def _targets(name: str, phase: str) -> list[list[str]]:
    count = str(_writes.get(name, 0))
    forms = [[name, phase, count]]
    if count == "1":
        forms.append([name, phase])
    return forms
