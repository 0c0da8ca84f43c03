"""TensorFlow start-up: its log noise, the device to train on, and seeding.

Everything that touches TensorFlow's global state before a model is built lives here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

from dlcli.errors import DeviceError


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


def select_device(requested: str) -> str:
    """Make TensorFlow use `requested` (auto | cpu | gpu); return a description of it."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if requested == "gpu" and not gpus:
        raise DeviceError(
            "train.device is 'gpu' but TensorFlow sees no GPU on this machine; "
            "use device: auto or cpu (GPU support: pip install 'dlcli[gpu]')"
        )
    if requested == "cpu" or not gpus:
        if gpus:
            tf.config.set_visible_devices([], "GPU")
        return "cpu"
    for gpu in gpus:
        # Take GPU memory as needed instead of all of it at start; a GPU already
        # initialised (a second run in this process) keeps its setting.
        with contextlib.suppress(RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)
    return f"gpu ({len(gpus)}: {', '.join(g.name for g in gpus)})"


def seed_everything(seed: int) -> None:
    """Same seed, same initial weights, same shuffles: Python, NumPy and the backend."""
    import keras

    keras.utils.set_random_seed(seed)
