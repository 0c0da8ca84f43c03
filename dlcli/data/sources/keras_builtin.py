"""`dataset: mnist`, `cifar10`, ... : Keras's built-in datasets, read from a local copy.

One source object per dataset name (`KERAS_SOURCES`), each reading through
`dlcli.data.keras_datasets` (the offline copies: `$DLCLI_DATA_DIR`, then Keras's cache;
Keras downloads only when there is none). imdb and reuters take `num_words` and
`sequence_length`, their word-index sequences' encoding.
"""

from __future__ import annotations

from dlcli.config.data_sources_schema import BUILTIN_DATASETS, KERAS_DATASETS
from dlcli.config.schema import DataConfig
from dlcli.data.keras_datasets import load_builtin
from dlcli.data.sources.base import DataSource
from dlcli.data.sources.raw import RawData


class KerasDataset(DataSource):
    """One of Keras's datasets, with its own train and test splits."""

    def __init__(self, name: str):
        self.name = name
        self.rules = BUILTIN_DATASETS[name]

    def read(self, cfg: DataConfig, seed: int) -> RawData:
        files: dict[str, str] = {}
        arrays, source = load_builtin(self.name, cfg, files)
        raw = RawData(**arrays, files=files)
        raw.info["source"] = source
        return raw


KERAS_SOURCES = [KerasDataset(name) for name in KERAS_DATASETS]
