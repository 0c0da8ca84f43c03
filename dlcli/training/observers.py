"""Observers: how something outside training (an experiment tracker) follows a run.

The runner and the comparison call these methods and know nothing else of who listens:
`dlcli.api` builds the observers (e.g. `dlcli.tracking`'s MLflow tracker) and hands them
in. An observer must not break training: the runner shields it, and an observer that
fails says so itself (in its own words) when the run ends.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from dlcli.config.loader import LoadedConfig


@runtime_checkable
class RunObserver(Protocol):
    """Follows one run: its start (config, environment), each epoch, and its end."""

    def on_start(self, run_dir: Path, loaded: LoadedConfig, env: dict[str, Any]) -> None: ...

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """`epoch` counts from 1; `logs` holds that epoch's metrics (val_* included)."""

    def on_end(self, status: str, metrics: dict[str, float], run_dir: Path) -> None:
        """`status` is the run's final state; `metrics` the final evaluation (may be
        empty when the run failed); the files to keep are in `run_dir`."""


@runtime_checkable
class ComparisonObserver(RunObserver, Protocol):
    """Follows a comparison (on_start/on_end with the comparison directory) and hands
    out one run observer per member."""

    def member(self, name: str, group: str, seed: int) -> RunObserver: ...


def notify(observers: Sequence[RunObserver], method: str, *args: Any) -> None:
    """Call `method` on every observer; an observer's bug never stops training."""
    for observer in observers:
        try:
            getattr(observer, method)(*args)
        except Exception as error:  # noqa: BLE001 - report and go on: the run matters more
            print(f"warning: {type(observer).__name__}.{method} failed: {error}",
                  file=sys.stderr)  # fmt: skip


@contextlib.contextmanager
def observed(observers: Sequence[RunObserver], run_dir: Path, state_of) -> Iterator[dict]:
    """Around a run: on_end always follows, with the state `state_of()` reads back
    (completed, failed, interrupted) and the metrics the block put in the yielded dict."""
    final: dict[str, float] = {}
    try:
        yield final
    finally:
        if observers:
            notify(observers, "on_end", state_of(), dict(final), run_dir)


def epoch_callback(observers: Sequence[RunObserver]):
    """A Keras callback passing each epoch's logs to the observers (Keras imported here)."""
    import keras

    class ObserverCallback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs=None) -> None:
            values = {key: float(value) for key, value in (logs or {}).items()}
            notify(observers, "on_epoch", epoch + 1, values)

    return ObserverCallback()
