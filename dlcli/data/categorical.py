"""CSV files with categorical columns (`data.categorical: [color, city]`), one-hot encoded.

Each categorical column becomes one 0/1 column per category, in sorted order; the
categories and the column order are recorded in preprocessing.json, so `predict` and
`evaluate` encode new rows the same way (a category never seen in the training file is
an error naming it, not a silent zero row). A missing value anywhere is an error naming
its line and column: dlcli does not guess what an empty cell means.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dlcli.data import formats as ff
from dlcli.data.columns import refuse_duplicate_columns
from dlcli.errors import DataError


def _read_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    rows = [row for _, row in ff.read_csv_rows(path)]  # the one csv reader: errors, blanks
    if len(rows) < 2:
        raise DataError(f"{str(path)!r} needs a header row and at least one data row")
    header = [name.strip() for name in rows[0]]
    refuse_duplicate_columns(header, repr(str(path)))
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"{str(path)!r} line {line}: {len(row)} cells, the header has "
                            f"{len(header)}")  # fmt: skip
        for name, cell in zip(header, row, strict=True):
            if not cell.strip():
                raise DataError(
                    f"{str(path)!r} line {line}, column {name!r}: missing value (fill it in "
                    "or drop the row; dlcli does not guess what an empty cell means)"
                )
    return header, rows[1:]


def read_categorical_csv(
    path: str, target: str, categorical: list[str]
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """x (one-hot blocks in place of each categorical column), y (n, 1), the encoding."""
    header, rows = _read_rows(path)
    for name in [target, *categorical]:
        if name not in header:
            raise DataError(
                f"{path!r} has no column {name!r} (data.target / data.categorical; it has: "
                f"{', '.join(header)})"
            )
    columns = [c for c in header if c != target]
    categories = {c: sorted({row[header.index(c)].strip() for row in rows}) for c in categorical}
    encoding = {"columns": columns, "categories": categories}
    x = encode_rows(header, rows, encoding, path)
    j = header.index(target)
    y = np.asarray([[_number(row[j], path, line, target)] for line, row in
                    enumerate(rows, start=2)])  # fmt: skip
    return x, y, encoding


def encode_rows(
    header: list[str], rows: list[list[str]], encoding: dict[str, Any], path: str
) -> np.ndarray:
    """The model's input columns for `rows`, as the training file's were encoded."""
    blocks = []
    for name in encoding["columns"]:
        if name not in header:
            raise DataError(f"{path}: has no column {name!r}; the model was trained on "
                            f"{', '.join(encoding['columns'])}")  # fmt: skip
        j = header.index(name)
        known = encoding["categories"].get(name)
        if known is None:
            blocks.append(np.asarray([[_number(row[j], path, line, name)]
                                      for line, row in enumerate(rows, start=2)]))  # fmt: skip
            continue
        onehot = np.zeros((len(rows), len(known)))
        for i, row in enumerate(rows):
            value = row[j].strip()
            if value not in known:
                raise DataError(
                    f"{path} line {i + 2}, column {name!r}: category {value!r} was not in the "
                    f"training data (known: {', '.join(known)})"
                )
            onehot[i, known.index(value)] = 1.0
        blocks.append(onehot)
    return np.concatenate(blocks, axis=1)


def _number(cell: str, path: str, line: int, column: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise DataError(
            f"{path!r} line {line}, column {column!r}: {cell!r} is not a number (list the "
            "column in data.categorical if it holds categories)"
        ) from None


def categorical_inputs(paths: list[str], encoding: dict[str, Any]) -> tuple[np.ndarray, list[str]]:
    """For `predict`: CSV rows (without the target) encoded as in training."""
    batches, labels = [], []
    for path in paths:
        if Path(path).suffix.lower() != ".csv":
            raise DataError(f"{path}: a model trained on categorical columns takes .csv rows")
        header, rows = _read_rows(path)
        batches.append(encode_rows(header, rows, encoding, path))
        labels += [f"{path}:row {i + 1}" for i in range(len(rows))]
    return np.concatenate(batches).astype(np.float32), labels
