"""Predictions stream to their file and to --json; the terminal gets a bounded preview."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from dlcli.cli.display import predictions_table
from dlcli.cli.outputs import PREVIEW_ROWS, stream_predictions
from dlcli.errors import UsageError


def _rows(start: int, n: int) -> list[dict]:
    return [
        {"input": f"x[{i}]", "class": i % 3, "probability": 0.5,
         "top": [{"class": i % 3, "probability": 0.5}]}
        for i in range(start, start + n)
    ]  # fmt: skip


def _chunks(total: int, size: int):
    for start in range(0, total, size):
        yield _rows(start, min(size, total - start))


def test_every_row_reaches_the_file_and_only_a_preview_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    preview = stream_predictions(_chunks(10_000, 999), out)
    assert preview.count == 10_000 and len(preview.rows) == PREVIEW_ROWS
    with out.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["input", "class1", "name1", "p1"] and len(rows) == 10_001
    assert rows[-1] == ["x[9999]", "0", "", "0.500000"]


def test_json_file_and_json_stdout_are_valid_json(tmp_path: Path) -> None:
    stdout = io.StringIO()
    stream_predictions(_chunks(50, 7), tmp_path / "p.json", stdout, {"run_dir": "r"})
    assert len(json.loads((tmp_path / "p.json").read_text())) == 50
    printed = json.loads(stdout.getvalue())
    assert printed["run_dir"] == "r" and len(printed["predictions"]) == 50
    empty = io.StringIO()
    stream_predictions([], None, empty, {"run_dir": "r"})
    assert json.loads(empty.getvalue()) == {"run_dir": "r", "predictions": []}


def test_a_failure_mid_stream_leaves_no_file_that_looks_whole(tmp_path: Path) -> None:
    def failing():
        yield _rows(0, 5)
        raise UsageError("the model failed on chunk 2")

    out = tmp_path / "p.csv"
    with pytest.raises(UsageError, match="chunk 2"):
        stream_predictions(failing(), out)
    assert list(tmp_path.iterdir()) == []


def test_one_chunk_of_value_rows_is_written_as_csv(tmp_path: Path) -> None:
    stream_predictions([[{"input": "a", "values": [1.0, 2.5]}]], tmp_path / "v.csv")
    assert (tmp_path / "v.csv").read_text().splitlines() == ["input,y0,y1", "a,1.000000,2.500000"]
    with pytest.raises(UsageError, match="use a .csv or .json file name"):
        stream_predictions([[]], tmp_path / "v.txt")


def test_the_terminal_table_says_how_many_rows_it_leaves_out() -> None:
    console = Console(file=io.StringIO(), width=120)
    predictions_table(console, _rows(0, PREVIEW_ROWS), 3_000_000, "out.csv")
    text = console.file.getvalue()
    assert "the first 20 of 3,000,000 rows; all 3,000,000 are in out.csv" in text
    assert text.count("x[") == PREVIEW_ROWS


CLASSES = [
    {"input": "a.png", "class": 7, "probability": 0.9,
     "top": [{"class": 7, "probability": 0.9}, {"class": 1, "probability": 0.08}]},
    {"input": "b.png", "class": 2, "probability": 0.6,
     "top": [{"class": 2, "probability": 0.6}, {"class": 3, "probability": 0.3}]},
]  # fmt: skip


def test_classes_as_csv_with_class_name_and_probability_per_rank(tmp_path: Path):
    stream_predictions([CLASSES], tmp_path / "out.CSV")
    rows = list(csv.reader((tmp_path / "out.CSV").open()))
    assert rows == [
        ["input", "class1", "name1", "p1", "class2", "name2", "p2"],
        ["a.png", "7", "", "0.900000", "1", "", "0.080000"],
        ["b.png", "2", "", "0.600000", "3", "", "0.300000"],
    ]


def test_regression_values_as_csv_and_anything_as_json(tmp_path: Path):
    values = [{"input": "x.csv:row 1", "values": [1.5, -2.0]}]
    stream_predictions([values], tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines() == [
        "input,y0,y1",
        "x.csv:row 1,1.500000,-2.000000",
    ]
    stream_predictions([CLASSES], tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text()) == CLASSES


def test_other_names_and_unwritable_places_are_usage_errors(tmp_path: Path):
    with pytest.raises(UsageError, match="use a .csv or .json file name"):
        stream_predictions([CLASSES], tmp_path / "out.txt")
    with pytest.raises(UsageError, match="cannot write"):
        stream_predictions([CLASSES], tmp_path / "missing" / "out.csv")
    assert not (tmp_path / "out.txt").exists()
