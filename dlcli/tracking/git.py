"""The git commit a run was trained from, for trackers' tags."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit(folder: Path) -> str | None:
    """The commit checked out where the config lives, or None outside a git work tree."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None
