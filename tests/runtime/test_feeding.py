"""dlcli.runtime.feeding: what fit and evaluate are handed."""

from __future__ import annotations

import numpy as np
import pytest

from dlcli.data.dataset import Dataset
from dlcli.errors import UsageError
from dlcli.runtime.feeding import even_for_replicas


def _dataset(train: int, val: int, test: int) -> Dataset:
    def split(n: int):
        return np.arange(n * 2, dtype="float32").reshape(n, 2), np.arange(n)

    (xt, yt), (xv, yv), (xs, ys) = split(train), split(val), split(test)
    return Dataset(xt, yt, xv, yv, xs, ys, None, {}, {}, {"source": "test"})


def test_every_split_is_cut_to_a_multiple_of_the_replicas_and_the_original_kept():
    given = _dataset(513, 51, 129)
    even = even_for_replicas(given, replicas=2, batch_size=32)
    assert (len(even.x_train), len(even.x_val), len(even.x_test)) == (512, 50, 128)
    assert len(even.y_train) == 512 and even.x_train[-1].tolist() == given.x_train[511].tolist()
    assert len(given.x_train) == 513  # a comparison's other members see all of it
    assert "multiple of 2" in even.info["replicas"]


def test_one_replica_changes_nothing_and_an_uneven_batch_is_refused():
    given = _dataset(5, 3, 3)
    assert even_for_replicas(given, replicas=1, batch_size=3) is given
    with pytest.raises(UsageError, match="batch_size 30 must divide evenly over the 4"):
        even_for_replicas(given, replicas=4, batch_size=30)
