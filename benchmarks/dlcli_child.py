"""`dlcli train ARGS...` exactly as the command runs it, plus an epoch timer.

The timer is appended to dlcli's progress callbacks (epoch hooks only, so it adds
nothing per batch); the epoch times go to the JSON file named by $DLCLI_BENCH_RESULT,
with each GPU's allocator peak (MB) after the run where the backend has GPUs.

    python benchmarks/dlcli_child.py train CONFIG --set ... --runs-dir DIR
"""

import json
import os
import sys
import time

from dlcli.training import runner

epoch_seconds: list[float] = []
_progress_callbacks = runner.progress_callbacks


def _with_timer(output, prefix=""):
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.started)

    return [*_progress_callbacks(output, prefix), EpochTimer()]


runner.progress_callbacks = _with_timer


def gpu_peak_mb() -> list[float]:
    """The backend allocator's peak on each GPU this process used, in MB: what the
    training took, whatever the allocator reserved (JAX preallocates 75 % by default)."""
    backend = os.environ.get("KERAS_BACKEND")  # set by dlcli before Keras is imported
    if backend == "jax" and "jax" in sys.modules:
        import jax

        try:
            gpus = jax.devices("gpu")
        except RuntimeError:  # no GPU platform in this jaxlib / on this machine
            return []
        return [(d.memory_stats() or {}).get("peak_bytes_in_use", 0) / 2**20 for d in gpus]
    if backend == "tensorflow" and "tensorflow" in sys.modules:
        import tensorflow as tf

        return [
            tf.config.experimental.get_memory_info(d.name)["peak"] / 2**20
            for d in tf.config.list_logical_devices("GPU")
        ]
    return []


from dlcli.cli.app import main  # noqa: E402

sys.argv = ["dlcli", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as exit_:
    code = exit_.code or 0
facts: dict = {"epoch_seconds": epoch_seconds}
try:
    facts["gpu_peak_mb"] = gpu_peak_mb()
except Exception as error:  # a fact about the run, not the run: say why it is missing
    facts["gpu_memory_error"] = f"{type(error).__name__}: {error}"
with open(os.environ["DLCLI_BENCH_RESULT"], "w", encoding="utf-8") as out:
    json.dump(facts, out)
sys.exit(code)
