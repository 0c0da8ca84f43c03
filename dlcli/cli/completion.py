"""Shell completion for paths: config files (*.yaml, *.yml) and run directories.

Typer completes command names and options itself (`dlcli --install-completion`); these
functions complete the arguments that are paths, so `dlcli train conf<TAB>` offers
directories on the way and the YAML files in them (docs/editor-support.md).
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_SUFFIXES = (".yaml", ".yml")
MAX_CANDIDATES = 200  # a huge folder should not flood the terminal


def complete_config_path(incomplete: str) -> list[str]:
    """Folders and *.yaml / *.yml files that start with what was typed."""
    return _complete(incomplete, lambda path: path.suffix in CONFIG_SUFFIXES)


def complete_run_dir(incomplete: str) -> list[str]:
    """Folders that start with what was typed (run and comparison directories)."""
    return _complete(incomplete, lambda path: False)


def _complete(incomplete: str, wanted_file) -> list[str]:
    folder_text, sep, start = incomplete.rpartition(os.sep)
    folder = Path(folder_text or (os.sep if sep else "."))
    prefix = folder_text + sep  # what was typed up to the last separator, kept as typed
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(start) or (entry.name.startswith(".") and not start):
            continue
        if entry.is_dir():
            found.append(f"{prefix}{entry.name}{os.sep}")
        elif wanted_file(entry):
            found.append(f"{prefix}{entry.name}")
    return found[:MAX_CANDIDATES]
