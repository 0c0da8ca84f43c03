"""Ctrl-C and SIGTERM during a training: stop cleanly the first time, at once the second.

The first SIGINT or SIGTERM raises KeyboardInterrupt in the main thread (for SIGTERM
too, whose default would kill the process without a word), so the runner records
the run as interrupted, draws its plots and says how to resume. A second signal
while that happens exits immediately: every file of a run is written atomically
(temporary file, then rename), so leaving mid-way corrupts nothing; the status then
still reads `running`, and a `running` run whose process is gone reads as interrupted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from dlcli.errors import EXIT_INTERRUPTED

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Handler:
    def __init__(self, resume_hint: str):
        self.resume_hint = resume_hint
        self.received = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        if self.received == 1:
            raise KeyboardInterrupt
        # Second signal: the user wants out now. Files are atomic; nothing is half-written.
        sys.stderr.write(f"\ninterrupted again: exiting now. Resume with: {self.resume_hint}\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def stop_on_signals(resume_hint: str) -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM raise KeyboardInterrupt once, then exit at once."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    handler = _Handler(resume_hint)
    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
