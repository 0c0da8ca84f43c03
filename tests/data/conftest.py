"""Fixtures of the data tests: Keras never downloads, and the local-copy folders are tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcli.data import keras_datasets


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(name, **kwargs):
        raise ConnectionError("network disabled in tests")

    monkeypatch.setattr(keras_datasets, "download", refuse)


@pytest.fixture
def dirs(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """Empty $DLCLI_DATA_DIR and Keras cache ($KERAS_HOME/datasets), both in tmp."""
    data_dir, keras_home = tmp_path / "data", tmp_path / "keras"
    data_dir.mkdir()
    (keras_home / "datasets").mkdir(parents=True)
    monkeypatch.setenv("DLCLI_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    return data_dir, keras_home / "datasets"
