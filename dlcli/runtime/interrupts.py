"""Ctrl-C and SIGTERM during a training or an export: stop cleanly the first time, at
once the second.

The first SIGINT or SIGTERM raises KeyboardInterrupt in the main thread (for SIGTERM
too, whose default would kill the process without a word), so the runner records
the run as interrupted, draws its plots and says how to resume, and an export removes
its scratch folders. The handler counts the signals, since a converter's C code may
turn the KeyboardInterrupt into an error of its own (SystemError, seen in SavedModel's).
A second signal
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


class Handler:
    """Installed by `stop_on_signals`; `received` counts the signals that came."""

    def __init__(self, next_step: str):
        self.next_step = next_step
        self.received = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        if self.received == 1:
            raise KeyboardInterrupt
        # Second signal: the user wants out now. Files are atomic; nothing is half-written.
        sys.stderr.write(f"\ninterrupted again: exiting now. {self.next_step}\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def stop_on_signals(next_step: str) -> Iterator[Handler]:
    """Within the block, SIGINT/SIGTERM raise KeyboardInterrupt once, then exit at once,
    saying `next_step` (e.g. "Resume with: dlcli train --resume RUN")."""
    handler = Handler(next_step)
    if threading.current_thread() is not threading.main_thread():
        yield handler  # signal handlers can only be set from the main thread
        return
    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield handler
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
