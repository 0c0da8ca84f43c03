"""`train.callbacks`: the Keras callbacks a config may switch on, each with its settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dlcli.config.limits import MAX_EPOCHS
from dlcli.config.schema_base import Flag, Integer, Number, Strict


class EarlyStopping(Strict):
    monitor: str = "val_loss"  # the logged metric watched, e.g. val_loss or val_accuracy
    patience: Annotated[Integer, Field(ge=0, le=MAX_EPOCHS)] = 3  # epochs without
    # improvement before stopping
    min_delta: Annotated[Number, Field(ge=0)] = 0.0  # a change smaller than this is no improvement
    restore_best_weights: Flag = True  # end with the best epoch's weights, not the last's


class ReduceLROnPlateau(Strict):
    monitor: str = "val_loss"  # the logged metric watched, e.g. val_loss or val_accuracy
    factor: Annotated[Number, Field(gt=0, lt=1)] = 0.1  # new_lr = lr * factor
    patience: Annotated[Integer, Field(ge=0, le=MAX_EPOCHS)] = 2  # epochs without
    # improvement before the learning rate is cut
    min_lr: Annotated[Number, Field(ge=0)] = 0.0  # the learning rate is never cut below this


class KeepBest(Strict):
    """Keep the weights of the best epoch (by `monitor`) in best.weights.h5."""

    monitor: str = "val_loss"  # the logged metric that picks the best epoch; higher is
    # better when the name contains acc, auc, precision, recall, ... (names.py), else lower


class CallbacksConfig(Strict):
    early_stopping: EarlyStopping | None = None  # stop when `monitor` stops improving; unset: off
    reduce_lr_on_plateau: ReduceLROnPlateau | None = None  # cut the learning rate when
    # `monitor` stops improving; unset: off
    keep_best: KeepBest | None = None  # best epoch's weights -> best.weights.h5; unset: off
