"""`train.callbacks`: the Keras callbacks a config may switch on, each with its settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dlcli.config.limits import MAX_EPOCHS
from dlcli.config.schema_base import Flag, Integer, Number, Strict


class EarlyStopping(Strict):
    monitor: str = "val_loss"
    # epochs without improvement before stopping
    patience: Annotated[Integer, Field(ge=0, le=MAX_EPOCHS)] = 3
    min_delta: Annotated[Number, Field(ge=0)] = 0.0
    restore_best_weights: Flag = True


class ReduceLROnPlateau(Strict):
    monitor: str = "val_loss"
    factor: Annotated[Number, Field(gt=0, lt=1)] = 0.1  # new_lr = lr * factor
    patience: Annotated[Integer, Field(ge=0, le=MAX_EPOCHS)] = 2
    min_lr: Annotated[Number, Field(ge=0)] = 0.0


class KeepBest(Strict):
    """Keep the weights of the best epoch (by `monitor`) in best.weights.h5."""

    monitor: str = "val_loss"


class CallbacksConfig(Strict):
    early_stopping: EarlyStopping | None = None
    reduce_lr_on_plateau: ReduceLROnPlateau | None = None
    keep_best: KeepBest | None = None
