"""Arrays as an array source read them (`RawData`), checked before the shared pipeline.

An array source (`dlcli.data.sources.base.DataSource.read`) yields a `RawData`: x and y
of each split as read, before any preprocessing. `checked` then makes every source's
arrays alike: one entry per sample, a test split (held out of the training samples
when the source has none of its own: linear, csv, npz without x_test), features as
columns; `dlcli.data.sources.arrays` cuts, shuffles, splits off validation and
preprocesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcli.config.schema import DataConfig
from dlcli.data.keras_datasets import KERAS_SEED
from dlcli.data.seeding import rng
from dlcli.errors import DataError


@dataclass
class RawData:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    files: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # must include "source"
    notes: list[str] = field(default_factory=list)  # choices a user should know about
    names: dict[str, str] = field(default_factory=dict)  # "x_train" -> name in the file, if other


def checked(raw: RawData, cfg: DataConfig) -> RawData:
    """`raw` with as many x as y per split, a test split, and features as columns."""
    _check_lengths(raw)  # before anything indexes y by x's samples
    if raw.x_test is None:
        hold_out_test(raw, cfg)
    _features_as_columns(raw)
    return raw


def hold_out_test(raw: RawData, cfg: DataConfig) -> None:
    """Move the last `test_split` of the samples to the test set (sources without one).

    With `shuffle`, the samples are first permuted with a fixed seed, not the run's: the
    test set belongs to the data, so runs with different seeds are scored on the same
    samples and can be compared.
    """
    n = len(raw.x_train)
    count = int(n * cfg.test_split)
    if count < 1:
        if cfg.test_split > 0:
            raw.notes.append(f"test_split {cfg.test_split} of {n} samples is < 1: no test set")
        return
    if count >= n:
        raise DataError(f"test_split {cfg.test_split} leaves no training samples out of {n}")
    order = rng(KERAS_SEED).permutation(n) if cfg.shuffle else np.arange(n)
    train, test = order[: n - count], order[n - count :]
    raw.x_test, raw.y_test = raw.x_train[test], raw.y_train[test]
    raw.x_train, raw.y_train = raw.x_train[train], raw.y_train[train]


def numeric(values: Any, where: str) -> np.ndarray:
    """A config's list of numbers (or of equally long lists) as an array, one per sample."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{where} must be a list of numbers or of equally long lists of numbers ({exc})"
        ) from None
    if array.ndim == 0 or len(array) == 0:
        raise DataError(f"{where} must be a non-empty list, one entry per sample")
    return array


def path_of(cfg: DataConfig) -> str:
    assert cfg.path is not None  # the schema requires `path:` for file sources
    return cfg.path


def _check_lengths(raw: RawData) -> None:
    """x and y of each split: arrays of samples, as many of one as of the other."""
    for split in ("train", "test"):
        x, y = getattr(raw, f"x_{split}"), getattr(raw, f"y_{split}")
        x_name = raw.names.get(f"x_{split}", f"x_{split}")
        y_name = raw.names.get(f"y_{split}", f"y_{split}")
        for name, array in ((x_name, x), (y_name, y)):
            if array is not None and np.ndim(array) == 0:
                raise DataError(
                    f"{raw.info.get('source')}: {name} is a single value, not an array "
                    "with one entry per sample"
                )
        if x is not None and y is not None and len(x) != len(y):
            raise DataError(
                f"{raw.info.get('source')}: {x_name} has {len(x)} samples "
                f"but {y_name} has {len(y)}: they must match one to one"
            )
    if len(raw.x_train) == 0:
        raise DataError(f"{raw.info.get('source')}: no training samples")


def _features_as_columns(raw: RawData) -> None:
    """x of shape (n,) is n samples of one feature: make it (n, 1), as Dense expects."""
    if raw.x_train.ndim == 1 and raw.x_train.dtype != object:
        raw.x_train = raw.x_train[:, np.newaxis]
        if raw.x_test is not None and raw.x_test.ndim == 1:
            raw.x_test = raw.x_test[:, np.newaxis]
