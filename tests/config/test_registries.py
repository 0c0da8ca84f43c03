"""dlcli.config.registries: a dataset name registered at run time validates like a
built-in one, with the rules it brings; the built-in names and their messages stay."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dlcli.config.data_sources_schema import BUILTIN_DATASETS, DatasetRules
from dlcli.config.registries import (
    DATASETS,
    dataset_owners,
    register_dataset,
    unregister_dataset,
)
from dlcli.config.schema import DataConfig


@pytest.fixture
def folders():
    """`dataset: folders`, which needs `path:` and refuses `shuffle: false`."""
    rules = DatasetRules(keys=("path",), needs_path=True,
                         check=lambda data: None if data.shuffle else "folders must shuffle")
    register_dataset("folders", rules)  # fmt: skip
    yield rules
    unregister_dataset("folders")


def _error(**data) -> str:
    with pytest.raises(ValidationError) as caught:
        DataConfig.model_validate(data)
    return str(caught.value)


def test_a_registered_name_validates_with_its_own_rules(folders) -> None:
    assert DataConfig.model_validate({"dataset": "folders", "path": "x"}).dataset == "folders"
    assert "dataset 'folders' needs `path:` (a file or folder)" in _error(dataset="folders")
    assert "folders must shuffle" in _error(dataset="folders", path="x", shuffle=False)
    assert "`target:` belongs to dataset 'csv'" in _error(dataset="folders", path="x",
                                                          target="y")  # fmt: skip
    assert dataset_owners("path")[-1] == "folders"


def test_unregistered_it_is_unknown_again_and_built_ins_stay(folders) -> None:
    unregister_dataset("folders")
    assert "unknown dataset 'folders'" in _error(dataset="folders", path="x")
    register_dataset("folders", folders)  # for the fixture to remove
    with pytest.raises(ValueError, match="is taken"):
        register_dataset("mnist", DatasetRules())
    with pytest.raises(ValueError, match="built-in"):
        unregister_dataset("csv")
    assert list(DATASETS)[: len(BUILTIN_DATASETS)] == list(BUILTIN_DATASETS)


def test_the_built_in_owners_of_a_key_keep_their_order() -> None:
    assert dataset_owners("path") == ["npz", "csv", "idx", "timeseries", "text", "image_folder"]
    assert dataset_owners("num_words") == ["imdb", "reuters"]
