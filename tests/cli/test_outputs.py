"""dlcli.cli.outputs: `predict --output` writes CSV or JSON, chosen by the file name."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dlcli.cli.outputs import write_predictions
from dlcli.errors import UsageError

CLASSES = [
    {"input": "a.png", "class": 7, "probability": 0.9,
     "top": [{"class": 7, "probability": 0.9}, {"class": 1, "probability": 0.08}]},
    {"input": "b.png", "class": 2, "probability": 0.6,
     "top": [{"class": 2, "probability": 0.6}, {"class": 3, "probability": 0.3}]},
]  # fmt: skip


def test_classes_as_csv_with_class_name_and_probability_per_rank(tmp_path: Path):
    write_predictions(CLASSES, tmp_path / "out.CSV")
    rows = list(csv.reader((tmp_path / "out.CSV").open()))
    assert rows == [
        ["input", "class1", "name1", "p1", "class2", "name2", "p2"],
        ["a.png", "7", "", "0.900000", "1", "", "0.080000"],
        ["b.png", "2", "", "0.600000", "3", "", "0.300000"],
    ]


def test_regression_values_as_csv_and_anything_as_json(tmp_path: Path):
    values = [{"input": "x.csv:row 1", "values": [1.5, -2.0]}]
    write_predictions(values, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines() == [
        "input,y0,y1",
        "x.csv:row 1,1.500000,-2.000000",
    ]
    write_predictions(CLASSES, tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text()) == CLASSES


def test_other_names_and_unwritable_places_are_usage_errors(tmp_path: Path):
    with pytest.raises(UsageError, match="use a .csv or .json file name"):
        write_predictions(CLASSES, tmp_path / "out.txt")
    with pytest.raises(UsageError, match="cannot write"):
        write_predictions(CLASSES, tmp_path / "missing" / "out.csv")
    assert not (tmp_path / "out.txt").exists()
