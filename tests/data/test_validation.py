"""Inputs for predict: NaN/inf rows and complex or non-numeric arrays are refused."""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.data.inputs import read_inputs
from dlcli.data.validation import refuse_non_finite, refuse_non_real
from dlcli.errors import DataError


def test_non_finite_rows_are_named_and_counted() -> None:
    x = np.zeros((200_000, 2, 2), dtype=np.float32)
    bad = [3, 70_000, 70_001, 150_000, 150_001, 150_002, 199_999]
    x[bad, 1, 0] = [np.nan, np.inf, -np.inf, np.nan, np.nan, np.inf, np.nan]
    labels = [f"row {i}" for i in range(len(x))]
    with pytest.raises(DataError) as caught:
        refuse_non_finite(x, labels, chunk=65_536)
    message = str(caught.value)
    assert message.startswith("7 input rows hold NaN or infinite values (row 3, row 70000")
    assert "and 2 more" in message


def test_finite_inputs_pass() -> None:
    refuse_non_finite(np.ones((10, 3), dtype=np.float32), [str(i) for i in range(10)])


def test_complex_input_is_refused_not_truncated(tmp_path) -> None:
    np.save(tmp_path / "c.npy", np.array([[1 + 2j, 0, 0, 1]]))
    with pytest.raises(DataError, match="holds complex numbers"):
        read_inputs([str(tmp_path / "c.npy")], (4,))


def test_text_arrays_are_refused() -> None:
    with pytest.raises(DataError, match="holds <U1 values, not numbers"):
        refuse_non_real(np.array(["a", "b"]), "t.npy")
