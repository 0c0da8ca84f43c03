"""`dataset: idx`: a folder of the four MNIST-format IDX files (images and labels, train
and test)."""

from __future__ import annotations

from dlcli.config.data_sources_schema import BUILTIN_DATASETS
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.sources.base import DataSource
from dlcli.data.sources.raw import RawData, path_of


class IdxSource(DataSource):
    name = "idx"
    rules = BUILTIN_DATASETS["idx"]

    def read(self, cfg: DataConfig, seed: int) -> RawData:
        files: dict[str, str] = {}
        arrays = ff.load_idx_folder(path_of(cfg), files)
        return RawData(**arrays, files=files, info={"source": f"IDX files in {cfg.path}"})
