"""`dlcli train --resume RUN_DIR`: the same run, continued from its last checkpoint.

Checks that the run may be resumed (not finished, not running, config unchanged but for
more epochs) and hands it back to the runner, which restores the checkpoint
(`dlcli.training.checkpoint`) and trains the remaining epochs into the same directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlcli.config.loader import LoadedConfig, load_config
from dlcli.errors import RunDirError, UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.trained.inference import load_run_config
from dlcli.training.checkpoint import checkpoint_state, config_hash
from dlcli.training.request import TrainRequest
from dlcli.training.runner import load_checked_data, train_on


def resume_training(
    run_path: Path, config: Path | None, overrides: list[str], request: TrainRequest,
    saved: LoadedConfig | None = None,
):  # fmt: skip
    """`dlcli train --resume RUN_DIR`: the same run, from its last finished epoch.
    `saved`: the run's config.yaml, when the caller has read it already."""
    run = RunDir.open(run_path)
    with run.locked():  # before any check: two resumes of one run can never both proceed
        loaded = check_resumable(run, config, overrides, saved)
        dataset = load_checked_data(loaded)
        return train_on(loaded, dataset, request, resume_from=run)


def check_resumable(
    run: RunDir, config: Path | None, overrides: list[str], saved: LoadedConfig | None = None
) -> LoadedConfig:
    """The config to resume with; refuse a finished or changed run. The caller holds the
    run's lock, so a `running` status here was left by a process that died."""
    status = run.status()
    old = saved or load_run_config(run)
    if status.get("config_sha256") not in (None, config_hash(old)):
        raise RunDirError(
            f"{run.file(files.CONFIG_FILE)} was changed after the run started; "
            "a resumed run must train what it started with"
        )
    # The saved config itself unless another file or --set values are given: read once.
    new = old if config is None and not overrides else load_config(
        config or run.file(files.CONFIG_FILE), overrides)  # fmt: skip
    changed = _differences(old.config.model_dump(mode="json"), new.config.model_dump(mode="json"))
    # Checkpoints are backend-neutral: a run may continue on the other backend.
    changed = [key for key in changed if key != "train.backend"]
    old_epochs, new_epochs = old.config.train.epochs, new.config.train.epochs
    if changed and (changed != ["train.epochs"] or new_epochs < old_epochs):
        raise UsageError(
            f"cannot resume {run.path} with a different config (changed: {', '.join(changed)}); "
            "only `--set train.epochs=N` with a larger N may change"
        )
    checkpoint_state(run, new_epochs)  # a tampered checkpoint is refused before any write
    if status.get("state") == files.COMPLETED and new_epochs <= old_epochs:
        raise UsageError(
            f"{run.path} already completed its {old_epochs} epochs; to train it further, "
            f"resume with --set train.epochs=N (N > {old_epochs})"
        )
    return new


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Dotted paths where two config dumps differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in dict.fromkeys([*old, *new]):
            found += _differences(old.get(key), new.get(key), f"{path}.{key}".lstrip("."))
        return found
    return [] if old == new else [path or "(the whole config)"]
