"""The dataset as the runner gets it: preprocessed arrays, or a stream read from disk.

Array sources fill x/y of each split. A streaming source (image_folder) sets `stream`, a
factory `stream(batch_size, shuffle) -> (train, validation)` of backend datasets built when
training starts, and keeps in x_train/y_train one probe sample for the pre-flight checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Dataset:
    x_train: np.ndarray  # float32, preprocessed, shape (n, *sample_shape)
    y_train: np.ndarray  # float32 one-hot (onehot), int64 (sparse), float32 (raw)
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    num_classes: int | None  # onehot/sparse: number of classes; None for raw labels
    preprocessing: dict[str, Any]  # JSON: how to preprocess new inputs the same way
    files: dict[str, str]  # absolute path of each local file read -> sha256 (hex)
    info: dict[str, Any]  # JSON facts: source, sample counts, notes, (linear) true W/b
    # Streaming sources: batch_size -> (train, validation) datasets; x_train is then a probe.
    stream: Callable[[int, bool], tuple[Any, Any]] | None = None
    run_files: dict[str, str] = field(default_factory=dict)  # run-dir file name -> text
    # (e.g. the text vocabulary), written beside preprocessing.json
    _built: dict[tuple[int, bool], tuple[Any, Any]] = field(default_factory=dict, repr=False)

    def streams(self, batch_size: int, shuffle: bool = True, reuse: bool = False):
        """(train, validation) backend datasets of a streaming source, built on first use
        and kept with this dataset. Another batch size (a comparison member) replaces them,
        so one set of pipelines stays alive. With `reuse`, the ones already built whatever
        their batch size (the final evaluation scores on training's batches)."""
        if reuse and self._built:
            return next(iter(self._built.values()))
        key = (batch_size, shuffle)
        if key not in self._built:
            self._built.clear()
            self._built[key] = self.stream(batch_size, shuffle)
        return self._built[key]

    @property
    def train_samples(self) -> int:
        """Training samples in all (a stream's count, not its probe's)."""
        return int(self.info.get("train_samples", len(self.x_train)))
