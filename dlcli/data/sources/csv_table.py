"""`dataset: csv`: a CSV table, the `target` column y and every other column x; the
`categorical` columns' names one-hot encoded (dlcli.data.categorical), which `predict`
encodes the same way in new rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dlcli.config.data_sources_schema import BUILTIN_DATASETS
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.sources.base import DataSource, FinishedRun
from dlcli.data.sources.raw import RawData, path_of


class CsvSource(DataSource):
    name = "csv"
    rules = BUILTIN_DATASETS["csv"]

    def read(self, cfg: DataConfig, seed: int) -> RawData:
        path = path_of(cfg)
        assert cfg.target is not None  # the schema requires `target:` for csv
        if cfg.categorical:  # category names -> one-hot columns (dlcli.data.categorical)
            from dlcli.data.categorical import read_categorical_csv

            x, y, encoding = read_categorical_csv(path, cfg.target, cfg.categorical)
            raw = RawData(x, y, None, None, info={"source": path, "columns": encoding["columns"],
                                                 "categorical": encoding})  # fmt: skip
            ff.record(raw.files, path)
            return raw
        header, body = ff.read_csv(path)
        x, y = ff.split_csv_columns(header, body, cfg.target, path)
        columns = [c for c in header if c != cfg.target]
        raw = RawData(x, y, None, None, info={"source": path, "columns": columns})
        ff.record(raw.files, path)
        return raw

    def predict_inputs(
        self, run: FinishedRun, inputs: list[str], invert: str
    ) -> tuple[Any, Sequence[str]]:
        """CSV rows with category names, encoded as in training; else as any array run."""
        prep = run.preprocessing
        if not prep.get("categorical"):
            return super().predict_inputs(run, inputs, invert)
        from dlcli.data.categorical import categorical_inputs
        from dlcli.data.preprocess import preprocess_inputs

        raw, labels = categorical_inputs(inputs, prep["categorical"])
        return preprocess_inputs(raw, prep), labels
