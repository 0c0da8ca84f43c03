"""One lock per run directory: whoever holds it is the only process training it.

`dlcli train`, `train --resume`, `compare` and `compare --resume` take the lock of their
directory before any check or write and hold it for the run's life; a second process
fails to take it (at once, without waiting) and says the run is still training. The
lock is an `flock` (the filelock package) on a file inside the run directory, so the
kernel releases it when its process dies, however it dies: a run left by a killed
process is simply taken over. Nothing here imports from the rest of `dlcli.runs`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from dlcli.errors import RunDirError


@contextlib.contextmanager
def holding(lock_file: Path, directory: Path, activity: str = "training") -> Iterator[None]:
    """Hold `lock_file` for the block; refuse at once if another process holds it."""
    lock = filelock.FileLock(str(lock_file))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise RunDirError(
            f"{directory} is still {activity}: another dlcli process holds its lock "
            f"({lock_file.name}); wait for it to finish, or stop it first"
        ) from None
    except OSError as error:
        raise RunDirError(f"cannot lock {directory}: {error.strerror or error}") from None
    try:
        yield
    finally:
        lock.release()


def is_held(lock_file: Path) -> bool | None:
    """Whether some process (this one included) holds the lock; None if it was never taken."""
    if not lock_file.is_file():
        return None
    lock = filelock.FileLock(str(lock_file))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return True
    except OSError:
        return None
    lock.release()
    return False
