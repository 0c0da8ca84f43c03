"""What dlcli reads back from a run directory, validated before it is trusted.

A run directory is data on disk that anyone (or a crash, or an editor) may have changed.
`checkpoint/state.json` names the weights file to load and the epoch to continue from,
so it is checked like a config: the weights file must be a checkpoint file name in the
checkpoint folder (no path), the epoch a count in range, the history one entry per
finished epoch. status.json and history.json are checked for their shape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from dlcli.config.limits import MAX_EPOCHS
from dlcli.errors import RunDirError

# The only names a checkpoint's weights file may have: a file in checkpoint/, no path.
CHECKPOINT_WEIGHTS_PATTERN = r"^epoch-\d{4,6}\.weights\.h5$"

History = dict[str, list[float]]  # keras History.history: per-epoch lists of numbers


class CheckpointState(BaseModel):
    """checkpoint/state.json: the last finished epoch, its weights file, the history."""

    model_config = ConfigDict(extra="forbid", strict=True)

    epoch: int = Field(ge=0, le=MAX_EPOCHS)
    weights: str = Field(pattern=CHECKPOINT_WEIGHTS_PATTERN)
    history: History

    @model_validator(mode="after")
    def _history_matches_epoch(self) -> CheckpointState:
        for key, values in self.history.items():
            if len(values) != self.epoch:
                raise ValueError(
                    f"history[{key!r}] has {len(values)} entries for {self.epoch} finished epochs"
                )
        return self


class Status(BaseModel):
    """status.json: the fields dlcli acts on (others are kept as they are)."""

    model_config = ConfigDict(extra="allow")

    state: Literal["running", "completed", "failed", "interrupted"]
    pid: int | None = None
    epochs: int | None = Field(default=None, ge=0, le=MAX_EPOCHS)
    started: str | None = None  # times as text (2026-01-01T10:00:00+0000): shown, sorted
    updated: str | None = None
    reason: str | None = None


def checkpoint_state(data: Any, where: str, epochs: int | None = None) -> CheckpointState:
    """Validate state.json's data; `epochs`: the run's configured epochs, a ceiling."""
    try:
        state = CheckpointState.model_validate(data)
    except ValidationError as error:
        raise RunDirError(f"{where}: not a valid checkpoint ({_reason(error)})") from None
    if epochs is not None and state.epoch > epochs:
        raise RunDirError(
            f"{where}: not a valid checkpoint (epoch {state.epoch} is past the run's "
            f"{epochs} epochs)"
        )
    return state


def status(data: Any, where: str) -> dict[str, Any]:
    try:
        Status.model_validate(data)
    except ValidationError as error:
        raise RunDirError(f"{where}: damaged ({_reason(error)})") from None
    return data


def history(data: Any, where: str) -> History:
    try:
        return _HISTORY.validate_python(data)
    except ValidationError as error:
        raise RunDirError(f"{where}: damaged ({_reason(error)})") from None


_HISTORY = TypeAdapter(History)


def epochs_recorded(history: Any) -> int | None:
    """How many epochs a history.json holds: its longest series (a GAN logs d_loss and
    g_loss, not loss); None when it is not a history."""
    if not isinstance(history, dict):
        return None
    lengths = [len(values) for values in history.values() if isinstance(values, list)]
    return max(lengths, default=0)


def _reason(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
