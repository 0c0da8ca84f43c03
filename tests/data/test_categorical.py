"""CSV files with categorical columns: one-hot from the file's categories, missing values."""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.config.schema import DataConfig
from dlcli.data.categorical import categorical_inputs
from dlcli.data.pipeline import load_dataset
from dlcli.errors import DataError


def cfg(path, **fields) -> DataConfig:
    return DataConfig.model_validate({"dataset": "csv", "path": str(path), "target": "price",
                                      "categorical": ["city"], "shuffle": False,
                                      "test_split": 0.0, "validation": "none", **fields})


def test_categorical_columns_become_one_hot_blocks_in_place(tmp_path) -> None:
    path = tmp_path / "houses.csv"
    path.write_text("rooms,city,price\n2,Seoul,5\n3,Busan,4\n1,Seoul,3\n")
    data = load_dataset(cfg(path), 0)
    assert data.x_train.tolist() == [[2, 0, 1], [3, 1, 0], [1, 0, 1]]  # rooms, Busan, Seoul
    encoding = data.preprocessing["categorical"]
    assert encoding["categories"] == {"city": ["Busan", "Seoul"]}
    new = tmp_path / "new.csv"
    new.write_text("city,rooms\nBusan,4\n")  # columns in another order: matched by name
    x, _ = categorical_inputs([str(new)], encoding)
    assert np.array_equal(x, [[4, 1, 0]])
    new.write_text("city,rooms\nDaegu,4\n")
    with pytest.raises(DataError, match="category 'Daegu' was not in the training data"):
        categorical_inputs([str(new)], encoding)


def test_a_missing_value_names_its_line_and_column(tmp_path) -> None:
    path = tmp_path / "houses.csv"
    path.write_text("rooms,city,price\n2,Seoul,5\n3,,4\n")
    with pytest.raises(DataError, match="line 3, column 'city': missing value"):
        load_dataset(cfg(path), 0)
    plain = tmp_path / "plain.csv"
    plain.write_text("rooms,price\n2,5\n,4\n")
    with pytest.raises(DataError, match="line 3, column 'rooms': missing value"):
        load_dataset(DataConfig.model_validate({"dataset": "csv", "path": str(plain),
                                                "target": "price"}), 0)  # fmt: skip


def test_categorical_belongs_to_csv() -> None:
    with pytest.raises(ValueError, match="`categorical:` belongs to dataset 'csv'"):
        DataConfig.model_validate({"dataset": "mnist", "categorical": ["a"]})
