"""Match named input columns to the columns the model was trained on.

A CSV exported by another program (or a JSON object sent to the server) may list its
columns in any order. The training columns are recorded in preprocessing.json
(`columns`), so inputs are matched by name, never by position, and a missing or
unknown column is an error that names it. numpy only.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from dlcli.errors import DataError


def column_order(found: list[str], columns: list[str], where: str) -> list[int]:
    """For each training column, its index in `found`; a DataError naming any mismatch."""
    refuse_duplicate_columns(found, where)
    missing = [c for c in columns if c not in found]
    unknown = [c for c in found if c not in columns]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column {_names(missing)}")
        if unknown:
            problems.append(f"unknown column {_names(unknown)}")
        raise DataError(
            f"{where}: {' and '.join(problems)}; the model was trained on the columns "
            f"{', '.join(repr(c) for c in columns)} (in any order)"
        )
    return [found.index(c) for c in columns]


def refuse_duplicate_columns(names: list[str], where: str) -> None:
    """Two columns of one name would make the target and the name matching ambiguous."""
    duplicated = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicated:
        raise DataError(
            f"{where}: column {_names(duplicated)} appears more than once; give every "
            "column its own name"
        )


def records_to_array(records: list[Any], columns: list[str], where: str) -> np.ndarray:
    """JSON objects ({column: value}) as rows in the training column order."""
    rows = []
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataError(f"{where}[{i}]: give every input as an object of columns, or none")
        order = column_order([str(k) for k in record], columns, f"{where}[{i}]")
        values = list(record.values())
        rows.append([_number(values[j], f"{where}[{i}].{columns[n]}") for n, j in
                     enumerate(order)])  # fmt: skip
    return np.asarray(rows, dtype=np.float64)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(f"{where}: {value!r} is not a number")
    return float(value)


def _names(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)
