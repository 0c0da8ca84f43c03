"""Named CSV columns are matched to the training columns by name, never by position."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlcli.data.columns import column_order, records_to_array
from dlcli.data.inputs import read_inputs
from dlcli.errors import DataError

PREP = {"columns": ["a", "b", "c"]}


def test_reordered_columns_give_the_same_rows(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("a,b,c\n1,2,3\n4,5,6\n")
    (tmp_path / "shuffled.csv").write_text("c,a,b\n3,1,2\n6,4,5\n")
    x, _ = read_inputs([str(tmp_path / "in.csv")], (3,), preprocessing=PREP)
    y, _ = read_inputs([str(tmp_path / "shuffled.csv")], (3,), preprocessing=PREP)
    np.testing.assert_array_equal(x, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(y, x)


def test_the_target_column_is_dropped_wherever_it_is(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("label,c,b,a\n1,3,2,1\n")
    x, _ = read_inputs([str(tmp_path / "in.csv")], (3,), target="label", preprocessing=PREP)
    np.testing.assert_array_equal(x, [[1, 2, 3]])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("a,b", "missing column 'c'"),
        ("a,b,c,d", "unknown column 'd'"),
        ("a,b,d", "missing column 'c' and unknown column 'd'"),
        ("a,b,b", "'b' appears more than once"),
    ],
)
def test_a_missing_or_unknown_column_is_named(tmp_path: Path, header: str, message: str) -> None:
    values = ",".join("1" for _ in header.split(","))
    (tmp_path / "in.csv").write_text(f"{header}\n{values}\n")
    with pytest.raises(DataError, match=message):
        read_inputs([str(tmp_path / "in.csv")], (3,), preprocessing=PREP)


def test_without_recorded_columns_a_header_is_read_in_order(tmp_path: Path) -> None:
    """Runs trained on arrays (no column names) keep reading CSV columns by position."""
    (tmp_path / "in.csv").write_text("z,y,x\n1,2,3\n")
    x, _ = read_inputs([str(tmp_path / "in.csv")], (3,))
    np.testing.assert_array_equal(x, [[1, 2, 3]])


def test_json_records_are_matched_by_name() -> None:
    rows = records_to_array([{"c": 3, "a": 1, "b": 2}], ["a", "b", "c"], "inputs")
    np.testing.assert_array_equal(rows, [[1, 2, 3]])
    with pytest.raises(DataError, match=r"inputs\[0\]: missing column 'c'"):
        records_to_array([{"a": 1, "b": 2}], ["a", "b", "c"], "inputs")
    with pytest.raises(DataError, match="'x' is not a number"):
        records_to_array([{"a": 1, "b": 2, "c": "x"}], ["a", "b", "c"], "inputs")
    assert column_order(["b", "a"], ["a", "b"], "f") == [1, 0]
