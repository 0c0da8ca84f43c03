"""Class names come from data.classes, else the built-in dataset's own names."""

from __future__ import annotations

import pytest

from dlcli.config.schema import DataConfig
from dlcli.data.class_names import class_names
from dlcli.errors import DataError


def test_builtin_names_and_config_names() -> None:
    assert class_names(DataConfig(dataset="fashion_mnist"), 10)[0] == "T-shirt/top"
    assert class_names(DataConfig(dataset="mnist"), 10) == [str(d) for d in range(10)]
    cfg = DataConfig(dataset="npz", path="x.npz", classes=["cat", "dog"])
    assert class_names(cfg, 2) == ["cat", "dog"]
    assert class_names(DataConfig(dataset="npz", path="x.npz"), 3) == ["0", "1", "2"]
    assert class_names(DataConfig(dataset="linear"), None) is None


def test_wrong_number_or_repeated_names_are_errors() -> None:
    with pytest.raises(DataError, match="has 2 names but the model has 3 classes"):
        class_names(DataConfig(dataset="npz", path="x.npz", classes=["a", "b"]), 3)
    with pytest.raises(DataError, match="'a' named more than once"):
        class_names(DataConfig(dataset="npz", path="x.npz", classes=["a", "a"]), 2)
