"""How much memory dlcli may plan to use: the one measure both size checks compare with.

The model's estimate (dlcli.models.capacity) and the data's declared size
(dlcli.data.declared) are refused above MEMORY_SHARE of `available_memory()`, so a model
or a data file too large for this machine is a message with both numbers before anything
is allocated. Plain Python: no numpy, no TensorFlow.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dlcli.config.limits import MEMORY_SHARE
from dlcli.errors import UsageError

MEMORY_LIMIT_VARIABLE = "DLCLI_MEMORY_LIMIT"  # e.g. 8G: plan for less than the machine has
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]?)i?B?\s*", re.I)


def available_memory() -> int | None:
    """Bytes this process may still use: MemAvailable, capped by a cgroup limit and by
    DLCLI_MEMORY_LIMIT (a machine shared with others may offer less than it has free)."""
    found = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            found = None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit() and found is not None:
            found = min(found, int(limit))
    except OSError:
        pass
    chosen = _chosen_limit()
    if chosen is not None:
        found = chosen if found is None else min(found, chosen)
    return found


def _chosen_limit() -> int | None:
    text = os.environ.get(MEMORY_LIMIT_VARIABLE)
    if not text:
        return None
    match = _SIZE.fullmatch(text)
    if not match:
        raise UsageError(
            f"{MEMORY_LIMIT_VARIABLE}={text!r}: not a size; give bytes, or a number with "
            "K, M, G or T (powers of 1024), e.g. 8G"
        )
    scale = 1024 ** ("KMGT".find(match[2].upper()) + 1) if match[2] else 1
    return int(match[1]) * scale


def memory_shortfall(needed: int) -> int | None:
    """The bytes available when `needed` exceeds MEMORY_SHARE of them, else None (also
    when the available memory cannot be measured: nothing is refused on a guess)."""
    available = available_memory()
    if available is None or needed <= MEMORY_SHARE * available:
        return None
    return available


def size_text(n: int) -> str:
    """A byte count as people read it: 7.5 GiB, 512.0 KiB."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n / 1024:.1f} KiB"
