"""The repository root, real MNIST when it is there, and writing a file with its folders."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def real_mnist_dir() -> Path | None:
    """The folder holding the real mnist.npz (DLCLI_DATA_DIR, else ../shared/data)."""
    for candidate in (os.environ.get("DLCLI_DATA_DIR"), REPO.parent / "shared" / "data"):
        if candidate and (Path(candidate) / "mnist.npz").is_file():
            return Path(candidate).resolve()
    return None


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
