"""The device to train on, and seeding.

Everything that touches TensorFlow's global state before a model is built lives here.
"""

from __future__ import annotations

import contextlib

from dlcli.errors import DeviceError


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
