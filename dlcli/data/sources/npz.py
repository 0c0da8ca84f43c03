"""`dataset: npz`: arrays from a NumPy .npz file (x_train/y_train, else x/y; x_test/y_test
when it has them)."""

from __future__ import annotations

from dlcli.config.data_sources_schema import BUILTIN_DATASETS
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.sources.base import DataSource
from dlcli.data.sources.raw import RawData, path_of
from dlcli.errors import DataError


class NpzSource(DataSource):
    name = "npz"
    rules = BUILTIN_DATASETS["npz"]

    def read(self, cfg: DataConfig, seed: int) -> RawData:
        path = path_of(cfg)
        arrays = ff.load_npz(path)
        x, y, x_name = ff.pick_arrays(arrays, [("x_train", "y_train"), ("x", "y")], path)
        y_name = "y_train" if x_name == "x_train" else "y"
        if y is None:
            raise DataError(f"{path!r} has {x_name} but no {y_name} (the training targets)")
        raw = RawData(x, y, arrays.get("x_test"), arrays.get("y_test"), info={"source": path})
        raw.names = {"x_train": x_name, "y_train": y_name}
        ff.record(raw.files, path)
        if (raw.x_test is None) != (raw.y_test is None):
            raise DataError(f"{path!r} must hold both x_test and y_test, or neither")
        return raw
