"""Keras callbacks: progress on screen, history on disk, and the configurable ones.

Imported only by the runner, inside the functions that train. Nothing here runs
Python per batch unless a terminal shows a live bar (and then at most ~10 times a
second); logs and files are per epoch.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from dlcli.config.names import higher_is_better
from dlcli.config.schema import CallbacksConfig
from dlcli.runs.rundir import BEST_WEIGHTS_FILE, HISTORY_FILE, RunDir
from dlcli.runtime.bootstrap import import_keras
from dlcli.runtime.callback_base import KerasCallback


def format_logs(logs: dict[str, Any]) -> str:
    """`loss 0.1 accuracy 0.9 val_loss 0.2 val_accuracy 0.9`: loss first, validation last."""

    def order(key: str) -> tuple[bool, bool]:
        base = key.removeprefix("val_")
        return (key.startswith("val_"), base != "loss")

    return "  ".join(f"{key} {float(logs[key]):.4f}" for key in sorted(logs, key=order))


class EpochLines(KerasCallback):
    """One plain line per epoch: for CI logs, `nohup` and files (no bar, no ANSI)."""

    def __init__(self, stream: IO[str] | None = None, prefix: str = ""):
        super().__init__()
        self.stream = stream or sys.stdout
        self.prefix = prefix

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        seconds = time.perf_counter() - self._started
        width = len(str(self.params["epochs"]))
        line = (
            f"{self.prefix}epoch {epoch + 1:>{width}}/{self.params['epochs']}  "
            f"{format_logs(logs or {})}  ({seconds:.1f}s)"
        )
        print(line, file=self.stream, flush=True)


class LiveBar(EpochLines):
    """A Rich progress bar per epoch with the live loss; a line stays per finished epoch."""

    def __init__(self, console, prefix: str = ""):
        super().__init__(console.file, prefix)
        self.console = console
        self._next_draw = 0.0

    def on_train_begin(self, logs=None) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[logs]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.progress.start()

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        super().on_epoch_begin(epoch, logs)
        label = f"{self.prefix}epoch {epoch + 1}/{self.params['epochs']}"
        self.task = self.progress.add_task(label, total=self.params.get("steps"), logs="")

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        now = time.perf_counter()
        if now >= self._next_draw:  # redraw at most ~10 times a second
            self._next_draw = now + 0.1
            done = min(batch + 1, self.params.get("steps") or batch + 1)
            self.progress.update(self.task, completed=done, logs=format_logs(logs or {}))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.progress.remove_task(self.task)
        seconds = time.perf_counter() - self._started
        self.progress.console.print(
            f"{self.prefix}epoch {epoch + 1}/{self.params['epochs']}  "
            f"{format_logs(logs or {})}  ({seconds:.1f}s)",
            highlight=False,
        )

    def on_train_end(self, logs=None) -> None:
        self.progress.stop()  # idempotent: the runner calls it again after an interrupt


class HistoryWriter(KerasCallback):
    """history.json after every epoch, atomically: a crash loses at most the current epoch.

    `checkpoint(model, epochs_done, history)`, when given, runs first for every epoch
    with a finite loss, so history.json is never ahead of the weights kept for --resume.
    """

    def __init__(self, run: RunDir, history: dict[str, list[float]] | None = None,
                 checkpoint: Callable[[Any, int, dict], None] | None = None):  # fmt: skip
        super().__init__()
        self.run = run
        self.history = {key: list(values) for key, values in (history or {}).items()}
        self.checkpoint = checkpoint

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        finite = losses_finite(logs)  # a NaN epoch is no state to resume
        if self.checkpoint is not None and finite:
            self.checkpoint(self.model, epoch + 1, self.history)
        self.run.write_json(HISTORY_FILE, self.history)


def losses_finite(logs: dict[str, Any]) -> bool:
    """Whether every training loss in `logs` is finite: `loss`, or a GAN's d_loss and
    g_loss (validation losses are judged by the training that produced them)."""
    return all(
        math.isfinite(float(value))
        for key, value in logs.items()
        if (key == "loss" or key.endswith("_loss")) and not key.startswith("val_")
    )


class StopOnNaN(KerasCallback):
    """Stop once the loss is NaN or infinite, remembering where: "epoch 5, batch 3", or
    "epoch 5, batches 33-64" when Keras runs several batches per call
    (train.steps_per_execution) and reports only the last of them."""

    def __init__(self):
        super().__init__()
        self.where: str | None = None
        self._epoch = 0
        self._done = 0  # batches of this epoch already checked

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch, self._done = epoch, 0

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        last = min(batch + 1, self.params.get("steps") or batch + 1)
        if not losses_finite(logs or {}):
            first = self._done + 1
            batches = f"batch {last}" if first >= last else f"batches {first}-{last}"
            self.where = f"epoch {self._epoch + 1}, {batches}"
            self.model.stop_training = True
        self._done = last


def _early_stopping(cfg, run: RunDir, history: dict[str, list[float]]):
    return import_keras().callbacks.EarlyStopping(**cfg.model_dump())


def _reduce_lr(cfg, run: RunDir, history: dict[str, list[float]]):
    return import_keras().callbacks.ReduceLROnPlateau(**cfg.model_dump())


class KeepBest(KerasCallback):
    """best.weights.h5: the weights of the best epoch by `monitor`, written atomically.

    Unlike keras's ModelCheckpoint it knows the epochs before a resume: a resumed run
    overwrites the file only when it beats the best epoch so far.
    """

    def __init__(self, run: RunDir, monitor: str, history: dict[str, list[float]]):
        super().__init__()
        self.run = run
        self.monitor = monitor
        self.higher_is_better = higher_is_better(monitor)
        earlier = [v for v in history.get(monitor, []) if math.isfinite(v)]
        pick = max if self.higher_is_better else min
        self.best = pick(earlier) if earlier else None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(float(value)):
            return
        value = float(value)
        better = self.best is None or (
            value > self.best if self.higher_is_better else value < self.best
        )
        if better:
            self.best = value
            from dlcli.runs.space import saved_size

            self.run.save_with(BEST_WEIGHTS_FILE, self.model.save_weights,
                               saved_size(self.model))  # fmt: skip


def _keep_best(cfg, run: RunDir, history: dict[str, list[float]]):
    return KeepBest(run, cfg.monitor, history)


# train.callbacks.<key> -> factory(cfg, run, history before this fit). The config schema
# lists the same keys.
CALLBACKS = {
    "early_stopping": _early_stopping,
    "reduce_lr_on_plateau": _reduce_lr,
    "keep_best": _keep_best,
}


def configured_callbacks(
    cfg: CallbacksConfig, run: RunDir, history: dict[str, list[float]] | None = None
) -> list:
    return [
        CALLBACKS[key](getattr(cfg, key), run, history or {})
        for key in CALLBACKS
        if getattr(cfg, key) is not None
    ]
