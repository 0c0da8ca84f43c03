"""Reading a run's files: regular files only, bounded in size and depth, never blocking.

A run directory is data anyone may have changed. A FIFO where status.json should be
blocks a plain open() forever, a device never ends, a symbolic link leads outside the
run, and a history.json 100,000 levels deep exhausts Python's stack. Every read of a
run file goes through `read_bytes`: it opens without following a final link and
without blocking (O_NONBLOCK: opening a FIFO returns at once), checks on the open
descriptor that it is a regular file, and reads at most MAX_RUN_FILE_BYTES;
`load_json` adds the nesting limit configs have. Nothing here imports the rest of
`dlcli.runs` (rundir.py imports this).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from typing import Any

from dlcli.config.limits import MAX_CONFIG_DEPTH
from dlcli.errors import RunDirError

# The largest run file dlcli reads: a history.json of 100,000 epochs (MAX_EPOCHS) with a
# dozen metrics is about 30 MB; summary.txt and the other records are kilobytes.
MAX_RUN_FILE_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = MAX_CONFIG_DEPTH  # run files nest 3 levels; configs are allowed 64

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))  # fmt: skip


class UnreadableRunFile(RunDirError):
    """A run file that exists but cannot be trusted; `reason` says why in a few words."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(f"{path}: unreadable ({reason})")
        self.reason = reason


def read_bytes(path: str | os.PathLike, limit: int = MAX_RUN_FILE_BYTES) -> bytes:
    """The file's bytes; FileNotFoundError when it is missing, UnreadableRunFile when it
    is not a regular file, is a link, is larger than `limit` or cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnreadableRunFile(path, "a symbolic link; dlcli does not follow links") from None
        raise UnreadableRunFile(path, error.strerror or str(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
            raise UnreadableRunFile(path, f"{kind}, not a regular file")
        if info.st_size > limit:
            raise UnreadableRunFile(path, f"{info.st_size:,} bytes, over the {limit:,} limit")
        data = _read_at_most(fd, limit)
    except OSError as error:
        raise UnreadableRunFile(path, error.strerror or str(error)) from None
    finally:
        os.close(fd)
    return data


def _read_at_most(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes: a file that grows while it is read is still refused."""
    chunks, size = [], 0
    while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise OSError(errno.EFBIG, f"larger than the {limit:,}-byte limit")
    return b"".join(chunks)


def read_text(path: str | os.PathLike) -> str:
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableRunFile(path, f"not UTF-8 text ({error.reason})") from None


def load_json(path: str | os.PathLike) -> Any:
    """The file's JSON value, no deeper than MAX_JSON_DEPTH."""
    data = read_bytes(path)
    try:
        value = json.loads(data)
    except RecursionError:  # the C decoder stops at the interpreter's recursion limit
        raise UnreadableRunFile(path, f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except json.JSONDecodeError as error:  # its position is enough in a table's note
        raise UnreadableRunFile(
            path, f"not valid JSON at line {error.lineno}, column {error.colno}"
        ) from None
    except ValueError:  # UnicodeDecodeError
        raise UnreadableRunFile(path, "not UTF-8 JSON") from None
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise UnreadableRunFile(path, f"nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (no recursion)."""
    level = [value]
    for _ in range(limit):
        level = [child for node in level if isinstance(node, list | dict)
                 for child in (node.values() if isinstance(node, dict) else node)]  # fmt: skip
        if not level:
            return False
    return any(isinstance(node, list | dict) for node in level)
