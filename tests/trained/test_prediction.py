"""Prediction rows: class ids with their names, and a sigmoid's class at a threshold."""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.errors import DataError
from dlcli.trained.prediction import check_threshold, prediction_rows

SOFTMAX = {"num_classes": 3, "class_names": ["cat", "dog", "owl"]}
SIGMOID = {"num_classes": 2, "class_names": ["ham", "spam"]}


def test_softmax_rows_carry_class_names_in_the_top_k() -> None:
    rows = prediction_rows(np.array([[0.1, 0.2, 0.7]]), ["x"], SOFTMAX, 2, 0.5)
    assert rows[0]["class"] == 2 and rows[0]["class_name"] == "owl"
    assert [t["class_name"] for t in rows[0]["top"]] == ["owl", "dog"]


def test_a_sigmoid_gives_its_class_at_the_threshold_and_its_score() -> None:
    outputs = np.array([[0.3], [0.8]])
    default = prediction_rows(outputs, ["a", "b"], SIGMOID, 1, 0.5)
    assert [r["class_name"] for r in default] == ["ham", "spam"]
    assert default[0]["score"] == pytest.approx(0.3) and default[0]["threshold"] == 0.5
    assert default[0]["probability"] == pytest.approx(0.7)  # of the class it gives
    low = prediction_rows(outputs, ["a", "b"], SIGMOID, 2, 0.25)
    assert [r["class"] for r in low] == [1, 1]
    assert low[0]["probability"] == pytest.approx(0.3)


def test_regression_rows_hold_values_and_thresholds_are_checked() -> None:
    rows = prediction_rows(np.array([[1.5, -2.0]]), ["x"], {"num_classes": None}, 1, 0.5)
    assert rows == [{"input": "x", "values": [1.5, -2.0]}]
    for bad in (0.0, 1.0, -1.0):
        with pytest.raises(DataError, match="threshold must be between 0 and 1"):
            check_threshold(bad)
