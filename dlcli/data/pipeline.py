"""Load the dataset a config names, ready for `model.fit`: its source does it.

`load_dataset` is the one entry for the runner, `evaluate` (the run's own split) and
`export` (its check inputs); the source of `cfg.dataset` (`dlcli.data.sources`) reads,
splits and preprocesses, and records in `Dataset.preprocessing` how to prepare new
inputs the same way. No TensorFlow at import.
"""

from __future__ import annotations

from dlcli.config.schema import DataConfig
from dlcli.data.dataset import Dataset
from dlcli.data.sources import source_for


def load_dataset(cfg: DataConfig, seed: int) -> Dataset:
    return source_for(cfg.dataset).load(cfg, seed)
