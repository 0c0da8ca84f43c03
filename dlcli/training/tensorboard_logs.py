"""train.tensorboard: RUN/tensorboard/{train,validation}/, one scalar per metric per epoch.

On TensorFlow, Keras's own TensorBoard callback writes them (and the model's graph). On
JAX that callback would import TensorFlow just to write a few numbers: a 1-epoch JAX run
of the MNIST MLP (`dlcli train configs/mnist_mlp.yaml --backend jax --set train.epochs=1`)
took 18.3 s with it against 14.6 s without. There `EpochScalars` writes
the same event files (the same folders and tags: `epoch_loss`, `epoch_accuracy`, ...)
through the tensorboard package's record writer, which needs only protobuf. Imported
only by the runner, with Keras on the backend it chose.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any

from dlcli.runs.rundir import TENSORBOARD_DIR, RunDir
from dlcli.runtime.bootstrap import import_keras
from dlcli.runtime.callback_base import KerasCallback


def tensorboard_callbacks(cfg, run: RunDir) -> list:
    """The callback that writes RUN/tensorboard/ (none with train.tensorboard: false, or
    without the tensorboard package). No histograms, no profiling: they cost every epoch."""
    if not cfg.tensorboard:
        return []
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        print(
            "note: no TensorBoard logs (the tensorboard package is not installed: "
            "pip install tensorboard, or set train.tensorboard: false)",
            file=sys.stderr,
        )
        return []
    keras = import_keras()
    if keras.backend.backend() != "tensorflow":
        return [EpochScalars(run)]
    return [keras.callbacks.TensorBoard(log_dir=str(run.file(TENSORBOARD_DIR)), histogram_freq=0,
                                        write_graph=True, update_freq="epoch",
                                        profile_batch=0)]  # fmt: skip


class EpochScalars(KerasCallback):
    """Each epoch's logs as TensorBoard scalars, `val_` ones under validation/, without
    TensorFlow. Steps are epoch indices, as Keras's callback writes them, so a resumed
    run's curves go on where they stopped."""

    def __init__(self, run: RunDir):
        super().__init__()
        self.run = run
        self._writers: dict[str, Any] = {}

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        for key, value in (logs or {}).items():
            split, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            self._write(split, f"epoch_{name}", float(value), epoch)
        rate = _learning_rate(self.model)
        if rate is not None:  # as Keras's callback logs it: the rate at the epoch's end
            self._write("train", "epoch_learning_rate", rate, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _write(self, split: str, tag: str, value: float, step: int) -> None:
        from tensorboard.compat.proto import event_pb2, summary_pb2

        point = summary_pb2.Summary.Value(tag=tag, simple_value=value)
        summary = summary_pb2.Summary(value=[point])
        event = event_pb2.Event(wall_time=time.time(), step=step, summary=summary)
        self._writer(split).write(event.SerializeToString())

    def _writer(self, split: str):
        """One event file per split and training session, named as TensorFlow names them."""
        if split not in self._writers:
            from tensorboard.compat.proto import event_pb2
            from tensorboard.summary.writer.record_writer import RecordWriter

            stamp, host = f"{int(time.time()):010d}", socket.gethostname()
            name = f"events.out.tfevents.{stamp}.{host}.{os.getpid()}.0"
            path = self.run.file(f"{TENSORBOARD_DIR}/{split}/{name}")  # never through a link
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = RecordWriter(path.open("wb"))  # closed at the end of training
            start = event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")
            writer.write(start.SerializeToString())
            self._writers[split] = writer
        return self._writers[split]


def _learning_rate(model) -> float | None:
    """The optimizer's current learning rate (its schedule's value, if it has one); None
    for a model without one optimizer (a GAN has two)."""
    rate = getattr(getattr(model, "optimizer", None), "learning_rate", None)
    try:
        return float(import_keras().ops.convert_to_numpy(rate))
    except (TypeError, ValueError):
        return None
