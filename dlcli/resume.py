"""Checkpoints at every epoch end, and `dlcli train --resume RUN_DIR` from the last one.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcli import rundir as files
from dlcli.config import LoadedConfig, load_config
from dlcli.errors import ConfigError, Interrupted, RunDirError, UsageError
from dlcli.rundir import RunDir


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
    folder = run.file(files.CHECKPOINT_DIR)
    name = f"epoch-{epoch:04d}.weights.h5"
    previous = _state(run)
    run.save_with(f"{files.CHECKPOINT_DIR}/{name}", model.save_weights)
    run.write_json(
        f"{files.CHECKPOINT_DIR}/{files.CHECKPOINT_STATE_FILE}",
        {"epoch": epoch, "weights": name, "history": history},
    )
    if previous and previous.get("weights") not in (None, name):
        (folder / previous["weights"]).unlink(missing_ok=True)


def _state(run: RunDir) -> dict[str, Any] | None:
    path = run.file(files.CHECKPOINT_DIR) / files.CHECKPOINT_STATE_FILE
    if not path.is_file():
        return None
    return run.read_json(f"{files.CHECKPOINT_DIR}/{files.CHECKPOINT_STATE_FILE}")


def restore(run: RunDir, model) -> Start:
    """Load the last checkpoint (weights and optimizer state) into `model`, if any."""
    state = _state(run)
    if not state:
        return Start()
    weights = run.file(files.CHECKPOINT_DIR) / state["weights"]
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)  # so its state can be loaded
    try:
        model.load_weights(str(weights))
    except (OSError, ValueError, KeyError) as error:
        raise RunDirError(f"{weights}: cannot load the checkpoint ({error})") from None
    return Start(int(state["epoch"]), state["history"])


def keep_last_good(run: RunDir, model) -> str:
    """After a NaN: the last good epoch's weights and history are what the run keeps."""
    state = _state(run)
    if not state:
        run.write_json(files.HISTORY_FILE, {})
        return "no epoch finished, so no weights were kept"
    restore(run, model)
    run.write_json(files.HISTORY_FILE, state["history"])
    run.save_with(files.WEIGHTS_FILE, model.save_weights)
    return f"{files.WEIGHTS_FILE} holds the weights of epoch {state['epoch']}, the last good one"


def interrupted(run: RunDir) -> Interrupted:
    """Record an interruption: status, plots of the finished epochs, how to resume."""
    state = _state(run)  # the checkpoint's history: never behind the weights kept
    if state:
        run.write_json(files.HISTORY_FILE, state["history"])
    history = state["history"] if state else {}
    epochs = len(history.get("loss", []))
    run.set_status(files.INTERRUPTED, reason="interrupted by the user", epochs=epochs)
    if epochs:
        from dlcli.plots import plot_history

        plot_history(history, run.file(files.PLOTS_DIR), title_prefix=run.path.name)
    return Interrupted(
        f"interrupted after {epochs} finished epoch{'s' if epochs != 1 else ''}; "
        f"{run.path} keeps them. Resume with: dlcli train --resume {run.path}"
    )


def resume_training(run_path: Path, config: Path | None, overrides: list[str], output):
    """`dlcli train --resume RUN_DIR`: the same run, from its last finished epoch."""
    from dlcli.runner import load_checked_data, train_on

    run = RunDir.open(run_path)
    loaded = check_resumable(run, config, overrides)
    dataset = load_checked_data(loaded)
    return train_on(loaded, dataset, run.path.parent, output=output, resume_from=run)


def check_resumable(run: RunDir, config: Path | None, overrides: list[str]) -> LoadedConfig:
    """The config to resume with; refuse a finished, running or changed run."""
    status = run.status()
    old = _load_run_config(run)
    if status.get("config_sha256") not in (None, config_hash(old)):
        raise RunDirError(
            f"{run.file(files.CONFIG_FILE)} was changed after the run started; "
            "a resumed run must train what it started with"
        )
    new = load_config(config or run.file(files.CONFIG_FILE), overrides)
    changed = _differences(old.config.model_dump(mode="json"), new.config.model_dump(mode="json"))
    old_epochs, new_epochs = old.config.train.epochs, new.config.train.epochs
    if changed and (changed != ["train.epochs"] or new_epochs < old_epochs):
        raise UsageError(
            f"cannot resume {run.path} with a different config (changed: {', '.join(changed)}); "
            "only `--set train.epochs=N` with a larger N may change"
        )
    if status.get("state") == files.RUNNING:
        raise RunDirError(f"{run.path} is still training (process {status.get('pid')})")
    if status.get("state") == files.COMPLETED and new_epochs <= old_epochs:
        raise UsageError(
            f"{run.path} already completed its {old_epochs} epochs; to train it further, "
            f"resume with --set train.epochs=N (N > {old_epochs})"
        )
    return new


def _load_run_config(run: RunDir) -> LoadedConfig:
    try:
        return load_config(run.file(files.CONFIG_FILE))
    except ConfigError as error:
        raise RunDirError(f"{run.path}: its {files.CONFIG_FILE} is invalid:\n{error}") from None


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Dotted paths where two config dumps differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in dict.fromkeys([*old, *new]):
            found += _differences(old.get(key), new.get(key), f"{path}.{key}".lstrip("."))
        return found
    return [] if old == new else [path or "(the whole config)"]
