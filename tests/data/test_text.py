"""dlcli.data.text: vocabulary from the training split only, class names, folders."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlcli.config.schema import DataConfig
from dlcli.data.pipeline import load_dataset
from dlcli.data.text import VOCABULARY_FILE, text_inputs
from dlcli.errors import DataError


def reviews_csv(tmp_path, rows) -> str:
    path = tmp_path / "reviews.csv"
    path.write_text("text,label\n" + "\n".join(f"{t},{label}" for t, label in rows) + "\n")
    return str(path)


def cfg(path: str, **text) -> DataConfig:
    return DataConfig.model_validate({
        "dataset": "text", "path": path, "labels": "sparse", "shuffle": False,
        "test_split": 0.25, "validation_split": 0.0,
        "text": {"sequence_length": 4, "vocabulary_size": 50, **text},
    })  # fmt: skip


ROWS = [("good film", "pos"), ("great film", "pos"), ("bad film", "neg"),
        ("awful plot", "neg"), ("good plot", "pos"), ("dull plot", "neg"),
        ("unseenword only", "pos"), ("another unseenword", "neg")]  # fmt: skip


def test_vocabulary_is_fitted_on_the_training_split_only(tmp_path) -> None:
    data = load_dataset(cfg(reviews_csv(tmp_path, ROWS)), 0)
    vocabulary = json.loads(data.run_files[VOCABULARY_FILE])
    assert vocabulary[:2] == ["", "[UNK]"] and "film" in vocabulary
    assert "unseenword" not in vocabulary  # it appears in the test rows only
    assert data.x_test.shape == (2, 4) and 1 in data.x_test  # -> the unknown id
    assert data.preprocessing["class_names"] == ["neg", "pos"]
    assert data.y_train.tolist() == [1, 1, 0, 0, 1, 0]


def test_predict_encodes_raw_strings_with_the_saved_vocabulary(tmp_path) -> None:
    data = load_dataset(cfg(reviews_csv(tmp_path, ROWS)), 0)
    vocabulary = json.loads(data.run_files[VOCABULARY_FILE])
    x, labels = text_inputs(["Good FILM!"], data.preprocessing, vocabulary)
    assert np.array_equal(x, data.x_train[:1])  # lower-cased, punctuation stripped
    assert labels == ["Good FILM!"]


def test_character_level_and_onehot(tmp_path) -> None:
    data = load_dataset(cfg(reviews_csv(tmp_path, ROWS), level="character",
                            encoding="onehot"), 0)  # fmt: skip
    width = data.preprocessing["vocabulary_size"]
    assert data.x_train.shape == (6, 4, width)
    assert data.x_train[0].sum(axis=1).tolist() == [1, 1, 1, 1]  # "good": 4 one-hot rows


def test_one_folder_per_class_and_an_empty_class_is_refused(tmp_path) -> None:
    for label, texts in (("pos", ["nice", "fine"]), ("neg", ["poor", "sad"])):
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    data = load_dataset(cfg(str(tmp_path)), 0)
    assert data.preprocessing["class_names"] == ["neg", "pos"]
    assert len(data.files) == 4  # every file's sha256 goes to env.json
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="class 'empty' has no .txt files"):
        load_dataset(cfg(str(tmp_path)), 0)


def test_an_empty_text_cell_names_its_line(tmp_path) -> None:
    with pytest.raises(DataError, match="line 3: empty text or label"):
        load_dataset(cfg(reviews_csv(tmp_path, [("good", "pos"), ("", "neg")])), 0)
