"""Process set-up that must happen before Keras is first imported, by any stage.

Importing Keras starts its backend (TensorFlow by default), which prints start-up noise
and fixes process-wide settings. Every stage that imports Keras — the data stage for
Keras's own dataset download, training, inference — goes through here first, which is
why this lives at the bottom of the import flow rather than in `dlcli.training`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator


def quiet_tensorflow(verbose: bool = False) -> None:
    """Import TensorFlow with its C++ and absl start-up noise hidden, unless --verbose.

    TF_CPP_MIN_LOG_LEVEL does not silence what absl prints before it is initialised
    ("Could not find cuda drivers", "oneDNN custom operations are on"), so the
    process's stderr is pointed at /dev/null for the duration of the import.
    """
    if verbose or "tensorflow" in sys.modules:
        import tensorflow  # noqa: F401

        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_silenced():
        import tensorflow  # noqa: F401
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (embedded use): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
