"""dlcli.data.row_labels: predict's row labels are made when read, not stored per row."""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.data.inputs import read_inputs
from dlcli.data.row_labels import Indexed, RowLabels


def test_labels_of_several_files_read_as_one_sequence() -> None:
    labels = RowLabels()
    labels.extend(["one.png"])
    labels.extend(Indexed("big.npy", 3))
    labels.extend(["t.csv:row 1", "t.csv:row 2"])
    assert len(labels) == 6
    assert list(labels) == [
        "one.png", "big.npy[0]", "big.npy[1]", "big.npy[2]", "t.csv:row 1", "t.csv:row 2",
    ]  # fmt: skip
    assert labels[1:3] == ["big.npy[0]", "big.npy[1]"] and labels[-1] == "t.csv:row 2"
    with pytest.raises(IndexError):
        labels[6]


def test_a_large_npy_gets_lazy_labels_and_no_extra_copy(tmp_path) -> None:
    rows = np.zeros((200_000, 2), dtype=np.float32)
    np.save(tmp_path / "big.npy", rows)
    x, labels = read_inputs([str(tmp_path / "big.npy")], (2,))
    assert x.shape == (200_000, 2) and len(labels) == 200_000
    assert labels[199_999] == f"{tmp_path / 'big.npy'}[199999]"
    assert isinstance(labels, RowLabels)  # no list of 200,000 strings was built
