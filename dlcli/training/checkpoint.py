"""Checkpoints at every epoch end: what `dlcli train --resume RUN_DIR` restarts from.

A checkpoint is `checkpoint/epoch-NNNN.weights.h5` (the model's weights and the
optimizer's state: Keras's save_weights includes both) plus `checkpoint/state.json`,
which names that weights file and holds the history up to it. The weights file is
written under a temporary name and renamed, and state.json is written atomically
after it, so state.json always points at a complete weights file, whatever kills
the process and when. (Keras's BackupAndRestore writes its files in place, so a kill
mid-write could leave a torn checkpoint; hence this small equivalent.)
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field

from dlcli.config.loader import LoadedConfig
from dlcli.errors import Interrupted, RunDirError
from dlcli.models.kind import ModelKind
from dlcli.runs import records
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runs.space import saved_size

STATE = f"{files.CHECKPOINT_DIR}/{files.CHECKPOINT_STATE_FILE}"


@dataclass
class Start:
    """Where fit starts: epoch 0 with no history, or the last checkpoint's."""

    epoch: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)


def config_hash(loaded: LoadedConfig) -> str:
    """sha256 of the resolved config: what the run actually trains."""
    return hashlib.sha256(loaded.resolved_yaml().encode("utf-8")).hexdigest()


def save_checkpoint(run: RunDir, model, epoch: int, history: dict) -> None:
    """Checkpoint after `epoch` finished epochs; the previous one is removed after."""
    name = f"epoch-{epoch:04d}.weights.h5"
    previous = checkpoint_state(run)
    needs = saved_size(model, previous and run.file(f"{files.CHECKPOINT_DIR}/{previous.weights}"))
    run.save_with(f"{files.CHECKPOINT_DIR}/{name}", model.save_weights, needs)
    run.write_json(STATE, {"epoch": epoch, "weights": name, "history": history})
    if previous and previous.weights != name:  # validated: a file name in checkpoint/
        run.delete(f"{files.CHECKPOINT_DIR}/{previous.weights}")


def checkpoint_state(run: RunDir, epochs: int | None = None) -> records.CheckpointState | None:
    """The checkpoint's state.json, validated (dlcli.runs.records), or None if none yet."""
    if not run.file(STATE).is_file():
        return None
    return records.checkpoint_state(run.read_json(STATE), str(run.file(STATE)), epochs)


def restore(run: RunDir, model, kind: ModelKind, epochs: int | None = None) -> Start:
    """Load the last checkpoint (weights and optimizer state) into `model`, of `kind`, if
    any; `epochs` (the config's) bounds the epoch a checkpoint may claim."""
    state = checkpoint_state(run, epochs)
    if not state:
        return Start()
    weights = run.file(f"{files.CHECKPOINT_DIR}/{state.weights}")
    if not weights.is_file():
        raise RunDirError(f"{weights}: missing; the checkpoint cannot be restored")
    kind.build_optimizer_state(model)  # so the optimizer's saved state can be loaded
    try:
        with warnings.catch_warnings():
            # Keras only warns when it skips an optimizer's saved state (one it has not
            # built, or of another size); the resumed run would then train differently.
            warnings.filterwarnings("error", message="Skipping variable loading for optimizer")
            model.load_weights(str(weights))
    except (OSError, ValueError, KeyError, UserWarning) as error:
        raise RunDirError(f"{weights}: cannot load the checkpoint ({error})") from None
    return Start(state.epoch, state.history)


def keep_last_good(run: RunDir, model, kind: ModelKind) -> str:
    """After a NaN: the last good epoch's weights and history are what the run keeps."""
    start = restore(run, model, kind)  # reads and checks state.json once
    if start.epoch == 0:
        run.write_json(files.HISTORY_FILE, {})
        return "no epoch finished, so no weights were kept"
    run.write_json(files.HISTORY_FILE, start.history)
    run.save_with(files.WEIGHTS_FILE, model.save_weights, saved_size(model))
    return f"{files.WEIGHTS_FILE} holds the weights of epoch {start.epoch}, the last good one"


def interrupted(run: RunDir) -> Interrupted:
    """Record an interruption: status, plots of the finished epochs, how to resume."""
    state = checkpoint_state(run)  # the checkpoint's history: never behind the weights kept
    if state:
        run.write_json(files.HISTORY_FILE, state.history)
    history = state.history if state else {}
    # The checkpoint's own count: a GAN logs d_loss/g_loss, no "loss" to count entries of.
    epochs = state.epoch if state else 0
    run.set_status(files.INTERRUPTED, reason="interrupted by the user", epochs=epochs)
    if epochs:
        from dlcli.runs.plots import plot_history

        plot_history(history, run.file(files.PLOTS_DIR), title_prefix=run.path.name)
    return Interrupted(
        f"interrupted after {epochs} finished epoch{'s' if epochs != 1 else ''}; "
        f"{run.path} keeps them. Resume with: dlcli train --resume {run.path}"
    )
