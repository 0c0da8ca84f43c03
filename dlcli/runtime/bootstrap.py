"""Process set-up that must happen before Keras is first imported, by any stage.

Keras reads its backend (`KERAS_BACKEND`: tensorflow, jax, ...) once, at its first
import, and keeps it for the life of the process. Every stage that imports Keras — the
data stage for Keras's own dataset download, training, inference — therefore goes
through `import_keras` here, after `choose_backend` has fixed the backend; this is why
it lives at the bottom of the import flow rather than in `dlcli.training`. Importing a
backend also prints start-up noise, which is hidden here unless --verbose.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from types import ModuleType

from dlcli.errors import BackendError

# train.backend -> how to install it when it is missing. TensorFlow is a dependency of
# dlcli; jax is the `jax` extra. (torch would be one more entry, and an extra.)
BACKENDS = {
    "tensorflow": "pip install dlcli",
    "jax": 'pip install "dlcli[jax]"',
}
DEFAULT_BACKEND = "tensorflow"
# Split the CPU into this many logical devices (TensorFlow) / host devices (JAX), so the
# several-device path (train.distribute: mirrored) can be tried and tested without GPUs.
CPU_DEVICES_ENV = "DLCLI_CPU_DEVICES"


def active_backend() -> str | None:
    """The backend Keras runs on in this process, or None before Keras is imported."""
    keras = sys.modules.get("keras")
    if keras is None:
        return None
    return str(keras.backend.backend())


def choose_backend(name: str) -> None:
    """Fix Keras's backend for this process; call before Keras is imported.

    Refuses a backend that is not installed (naming the install command) and a second,
    different backend in a process whose Keras already runs on another one.
    """
    if name not in BACKENDS:
        raise BackendError(f"unknown backend {name!r}; dlcli runs on: {', '.join(BACKENDS)}")
    if importlib.util.find_spec(name) is None:
        raise BackendError(
            f"the {name} backend is not installed; install it with: {BACKENDS[name]}"
        )
    active = active_backend()
    if active is not None and active != name:
        raise BackendError(
            f"this process already runs Keras on the {active} backend, and Keras cannot "
            f"switch to {name} once imported; run the {name} work in a new process "
            f"(a new `dlcli` command, or KERAS_BACKEND={name} for a Python session)"
        )
    os.environ["KERAS_BACKEND"] = name


def import_keras(verbose: bool = False) -> ModuleType:
    """`import keras` on the chosen backend (KERAS_BACKEND, else tensorflow), with the
    backend's start-up noise hidden unless `verbose`. Every dlcli import of Keras that
    can be the process's first goes through here."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    backend = os.environ.get("KERAS_BACKEND") or DEFAULT_BACKEND
    choose_backend(backend)
    if backend == "tensorflow":
        quiet_tensorflow(verbose)
    elif os.environ.get(CPU_DEVICES_ENV):  # read by XLA when jax starts, hence here
        flag = f"--xla_force_host_platform_device_count={int(os.environ[CPU_DEVICES_ENV])}"
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flag}".strip()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # jax's XLA logs through absl too
    with contextlib.nullcontext() if verbose else _stderr_silenced():
        import keras
    if backend != "tensorflow" and "tensorflow" not in sys.modules:
        _keras_without_tensorflow()
    return keras


def _keras_without_tensorflow() -> None:
    """On another backend, Keras still imports TensorFlow when it is installed, to seed
    tf.data and to recognise tf.TensorShape when saving: ~4 s and its start-up noise for
    objects dlcli never makes (it feeds NumPy arrays). Tell Keras it is absent."""
    from keras.src.utils import module_utils

    module_utils.tensorflow._available = False


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
