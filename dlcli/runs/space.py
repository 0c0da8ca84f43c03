"""Writes that meet a full disk (or the file-size limit) end in a message, not a crash.

Keras writes `.weights.h5` files through h5py in place. When the disk fills up in the
middle, h5py raises whatever its C library reported (an OSError, or a RuntimeError such
as "Unable to synchronously create dataset"), and Keras leaves the HDF5 file open;
closing it later, when the garbage collector gets to it, crashed the process with a
segmentation fault (on either backend). So, around every file Keras writes:

- `check_room` refuses a write that cannot fit before h5py is asked to make it: the free
  space of the run's file system, and the file size limit (`ulimit -f`), against the
  size the file will have (`saved_size`: the model's variables, or the previous
  checkpoint's size);
- `close_hdf5` closes whatever HDF5 file a failed save left open on its path, at once,
  so the space is given back and nothing is left for the collector;
- `full_disk_reason` reads "the disk is full" (or "a file exceeds the file-size
  limit") out of the error an HDF5 or zip writer raised, whatever its type;
- `saving` puts the three around a save (`RunDir.save_with`).

The status of a run must still be written when the disk is full: `RESERVE_FILE` is a
small file kept beside status.json, its blocks allocated while there was room, into
which the new status is written and then renamed over status.json (no new block needed).
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import resource
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from dlcli.errors import RunDirError

RESERVE_FILE = ".status.reserve"  # beside status.json: room for its last word
RESERVE_BYTES = 16 * 1024  # larger than any status.json dlcli writes
MARGIN = 1.1  # on top of the caller's estimate (`saved_size`)

_FULL, _LIMIT = "the disk is full", "a file exceeds the file-size limit"
_ERRNO_WORDS = {  # what an HDF5 error message carries in place of an errno
    errno.ENOSPC: ("errno = 28", "No space left on device"),
    errno.EFBIG: ("errno = 27", "File too large"),
}


def why(error: OSError) -> str:
    """An OSError in words a user can act on (full disk, read-only)."""
    if error.errno == errno.ENOSPC:
        return _FULL
    if error.errno == errno.EFBIG:  # RLIMIT_FSIZE (ulimit -f), or the file system's maximum
        return _LIMIT
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (is the directory read-only?)"
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{error.filename or 'a path'} is a file, not a directory"
    return error.strerror or str(error)


@contextlib.contextmanager
def saving(target: Path, partial: Path, needs: int) -> Iterator[None]:
    """Around a save by Keras into `partial`, for `target`: refused first if about `needs`
    bytes cannot fit; if it fails, its HDF5 file is closed and `partial` removed, and a
    failure for lack of room (or any OSError) becomes a RunDirError saying so."""
    try:
        no_room = check_room(target, needs)
        if no_room:
            raise RunDirError(f"cannot write {target}: {no_room}")
        yield
    except BaseException as error:
        close_hdf5(partial)  # now: its space back, nothing left to the garbage collector
        partial.unlink(missing_ok=True)
        if isinstance(error, RunDirError) or not isinstance(error, Exception):
            raise
        reason = full_disk_reason(error) or (why(error) if isinstance(error, OSError) else None)
        if reason is None:
            raise
        raise RunDirError(f"cannot write {target}: {reason}") from None


def check_room(target: Path, needed: int) -> str | None:
    """Why `needed` bytes cannot be written at `target` now, or None if they can."""
    if needed <= 0:
        return None
    needed = int(needed * MARGIN)
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit != resource.RLIM_INFINITY and needed > limit:
        return f"{_LIMIT}: it needs about {_size(needed)}, the limit is {_size(limit)}"
    folder = target.parent
    while not folder.exists() and folder.parent != folder:  # checkpoint/ before its first file
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None  # the write itself will say what is wrong
    if free < needed:
        return f"{_FULL}: it needs about {_size(needed)}, {_size(free)} is free"
    return None


def saved_size(model, previous=None) -> int:
    """About how many bytes Keras's save of `model` takes: its variables and its
    optimizer's (what save_weights holds) with HDF5's overhead (measured: 20 KiB and
    about 1 KiB per variable), or the size of its `previous` save if that is larger.
    Checked against the free space before h5py writes (`check_room`)."""
    optimizer = getattr(model, "optimizer", None)
    variables = [*(getattr(model, "weights", None) or []),
                 *(getattr(optimizer, "variables", None) or [])]  # fmt: skip
    size = sum(math.prod(int(d) for d in v.shape) * _itemsize(v.dtype) for v in variables)
    size += 32 * 1024 + 2 * 1024 * len(variables)  # HDF5's header and per-dataset records
    with contextlib.suppress(OSError, AttributeError):
        size = max(size, previous.stat().st_size)
    return size


def _itemsize(dtype) -> int:
    name = str(getattr(dtype, "name", dtype))
    return 2 if "16" in name else 8 if "64" in name else 1 if "8" in name else 4


def full_disk_reason(error: BaseException) -> str | None:
    """"the disk is full" / the file-size limit, if that is what `error` says; else None."""
    code = getattr(error, "errno", None)
    text = str(error)
    for number, words in _ERRNO_WORDS.items():
        if code == number or any(word in text for word in words):
            return _FULL if number == errno.ENOSPC else _LIMIT
    return None


def close_hdf5(path: Path) -> None:
    """Close every HDF5 file still open on `path` (a save that failed half-way), and the
    objects open in it, as h5py's File.close does; errors of the failing disk ignored."""
    h5py = sys.modules.get("h5py")  # only Keras imports it; not imported, nothing is open
    if h5py is None:
        return
    wanted = os.path.abspath(path)
    for file_id in h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE):
        with contextlib.suppress(Exception):
            name = file_id.name.decode() if isinstance(file_id.name, bytes) else file_id.name
            if os.path.abspath(name) != wanted:
                continue
            local = h5py.h5f.OBJ_LOCAL
            for kind in (local | ~h5py.h5f.OBJ_FILE, local | h5py.h5f.OBJ_FILE):  # objects first
                for open_id in h5py.h5f.get_obj_ids(file_id, kind):
                    _release(h5py, open_id)
            _release(h5py, file_id)


def _release(h5py, object_id) -> None:
    for _ in range(64):  # each reference; a failing write may refuse one, so bounded
        if not object_id.valid:
            return
        with contextlib.suppress(Exception):
            h5py.h5i.dec_ref(object_id)


def keep_reserve(folder: Path) -> None:
    """Make sure `folder` holds RESERVE_FILE, its blocks allocated (best effort)."""
    reserve = folder / RESERVE_FILE
    if reserve.is_file() and not reserve.is_symlink() and reserve.stat().st_size >= RESERVE_BYTES:
        return
    with contextlib.suppress(OSError):
        fd = os.open(reserve, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        try:
            os.write(fd, b" " * RESERVE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)


def write_through_reserve(target: Path, text: str) -> bool:
    """Write `text` into the reserve beside `target`, then rename it over `target`:
    no new block is needed, so it works on a full disk. False if there is no reserve."""
    reserve, data = target.parent / RESERVE_FILE, text.encode("utf-8")
    if len(data) > RESERVE_BYTES or reserve.is_symlink() or not reserve.is_file():
        return False
    try:
        fd = os.open(reserve, os.O_WRONLY | os.O_NOFOLLOW)
        try:
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(reserve, target)
    except OSError:
        return False
    return True


def _size(count: float) -> str:
    if count < 1024:
        return f"{count:.0f} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        count /= 1024
        if count < 1024 or unit == "GiB":
            break
    return f"{count:.1f} {unit}"
