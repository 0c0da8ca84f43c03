"""Crash injection for tests/e2e/test_crash_points.py: die at a chosen file write.

`DLCLI_CRASH_AT=NAME:PHASE[:N]` makes the process SIGKILL itself just `before` or just
`after` the N-th (default: first) write of a run file named NAME (e.g. `state.json`,
`model.keras`, `loss.png`), as a power cut or the OOM killer would: no `finally`, no
handler, no flush. `DLCLI_CRASH_TRACE=FILE` appends the name of every write to FILE,
so the test can enumerate them. Both are read once, from the environment only (never
from a config); when neither is set, `ARMED` is False and the writers skip the hook.
"""

from __future__ import annotations

import os
import signal

_AT = os.environ.get("DLCLI_CRASH_AT", "")
_TRACE = os.environ.get("DLCLI_CRASH_TRACE", "")
ARMED = bool(_AT or _TRACE)

_writes: dict[str, int] = {}  # name -> writes of it so far (counted at "before")


def reached(name: str, phase: str) -> None:
    """Called by dlcli.runs.rundir around every run-file write when ARMED."""
    if phase == "before":
        _writes[name] = _writes.get(name, 0) + 1
        if _TRACE:
            with open(_TRACE, "a", encoding="utf-8") as trace:
                trace.write(f"{name}\n")
    if _AT and _AT.split(":") in _targets(name, phase):
        os.kill(os.getpid(), signal.SIGKILL)


def _targets(name: str, phase: str) -> list[list[str]]:
    count = str(_writes.get(name, 0))
    forms = [[name, phase, count]]
    if count == "1":
        forms.append([name, phase])
    return forms
