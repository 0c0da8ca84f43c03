"""`dataset: text`: labelled text from a CSV or from one folder per class of .txt files.

Text becomes token ids through a Keras `TextVectorization` layer whose vocabulary is
fitted (adapted) on the training split only — words seen only in validation or test
count as unknown, as they would for new text. The vocabulary is saved in the run
(vocabulary.json) and `predict` rebuilds the same layer from it to encode raw strings.
Keras is imported here, lazily, because the vocabulary is the layer's to build.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import TextData
from dlcli.config.schema import DataConfig
from dlcli.data import formats as ff
from dlcli.data.dataset import Dataset
from dlcli.data.keras_datasets import KERAS_SEED
from dlcli.data.preprocess import preprocess_labels
from dlcli.data.seeding import rng
from dlcli.errors import DataError

VOCABULARY_FILE = "vocabulary.json"  # in the run directory: the token of each id


def load_text(cfg: DataConfig, seed: int) -> Dataset:
    tx = cfg.text or TextData()
    assert cfg.path is not None  # the schema requires it
    files: dict[str, str] = {}
    texts, labels = read_labelled_texts(Path(cfg.path), tx, files)
    # Class numbers in numeric order (2 before 10), names alphabetically after them.
    class_names = sorted(set(labels), key=_class_order)
    ids = np.asarray([class_names.index(label) for label in labels], dtype=np.int64)
    train, val, test = _split(len(texts), cfg, seed)
    vocabulary = fit_vocabulary([texts[i] for i in train], tx)
    prep = {
        "kind": "text",
        "vocabulary_file": VOCABULARY_FILE,
        "level": tx.level,
        "sequence_length": tx.sequence_length,
        "encoding": tx.encoding,
        "vocabulary_size": len(vocabulary),
        "class_names": class_names,
        "labels": cfg.labels,
        "num_classes": len(class_names),
    }
    x = encode_texts(texts, vocabulary, prep)
    y = preprocess_labels(ids, prep)
    parts = {name: (x[rows], y[rows]) if len(rows) else (None, None)
             for name, rows in (("val", val), ("test", test))}  # fmt: skip
    x_val, y_val = parts["test"] if cfg.validation == "test" else parts["val"]
    info = {
        "source": cfg.path,
        "classes": class_names,
        "vocabulary_size": len(vocabulary),
        "train_samples": len(train),
        "validation_samples": 0 if x_val is None else len(x_val),
        "test_samples": len(test),
        "validation": cfg.validation if x_val is not None else "none",
        "notes": ["vocabulary fitted on the training split only"],
    }
    return Dataset(
        x[train], y[train], x_val, y_val, *parts["test"], num_classes=len(class_names),
        preprocessing=prep, files=files, info=info,
        run_files={VOCABULARY_FILE: json.dumps(vocabulary, ensure_ascii=False) + "\n"},
    )  # fmt: skip


def _class_order(name: str) -> tuple[bool, int, str]:
    return (not name.isdigit(), len(name) if name.isdigit() else 0, name)


def read_labelled_texts(
    path: Path, tx: TextData, files: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(texts, labels) from a CSV's text and label columns or one folder per class."""
    if path.is_dir():
        return _read_folder(path, files)
    ff.require_file(path, "text csv file")
    ff.record(files, path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
            header = list(rows[0].keys()) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read {str(path)!r} as csv: {exc}") from None
    for column in (tx.text_column, tx.label_column):
        if column not in header:
            raise DataError(
                f"{str(path)!r} has no column {column!r} (data.text.text_column / "
                f"label_column; it has: {', '.join(header) or 'no rows'})"
            )
    texts, labels = [], []
    for line, row in enumerate(rows, start=2):
        text, label = row[tx.text_column], row[tx.label_column]
        if text is None or label is None or not text.strip() or not label.strip():
            raise DataError(f"{str(path)!r} line {line}: empty text or label")
        texts.append(text)
        labels.append(label.strip())
    return texts, labels


def _read_folder(folder: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    classes = sorted(p for p in folder.iterdir() if p.is_dir())
    if len(classes) < 2:
        raise DataError(
            f"{str(folder)!r}: a text folder needs one subfolder per class (at least two), "
            f"found {len(classes)}"
        )
    texts, labels = [], []
    for class_dir in classes:
        documents = sorted(class_dir.glob("*.txt"))
        if not documents:
            raise DataError(f"{str(class_dir)!r}: class {class_dir.name!r} has no .txt files")
        for document in documents:
            try:
                texts.append(document.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise DataError(f"{str(document)!r}: not readable UTF-8 text ({exc})") from None
            labels.append(class_dir.name)
            ff.record(files, document)
    return texts, labels


def _split(count: int, cfg: DataConfig, seed: int) -> tuple[np.ndarray, ...]:
    """Row indices of train, validation and test. Test is drawn with a fixed seed (it
    belongs to the data); validation is the last fraction of the run-seeded rest."""
    fixed = rng(KERAS_SEED)
    order = fixed.permutation(count) if cfg.shuffle else np.arange(count)
    n_test = int(count * cfg.test_split)
    test, rest = order[count - n_test :], order[: count - n_test]
    if cfg.shuffle:
        rest = rest[rng(seed).permutation(len(rest))]
    n_val = int(len(rest) * cfg.validation_split) if cfg.validation == "split" else 0
    train, val = rest[: len(rest) - n_val], rest[len(rest) - n_val :]
    if len(train) == 0:
        raise DataError(f"the text data has {count} samples: none left for training")
    return train, val, test


def _vectorizer(level: str, size: int, length: int, vocabulary: list[str] | None = None):
    from dlcli.runtime.bootstrap import quiet_tensorflow

    quiet_tensorflow()  # no-op when TensorFlow is already up (e.g. with --verbose)
    import keras

    return keras.layers.TextVectorization(
        max_tokens=size,
        standardize="lower_and_strip_punctuation",
        split="whitespace" if level == "word" else "character",
        output_mode="int",
        output_sequence_length=length,
        vocabulary=vocabulary,
    )


def fit_vocabulary(texts: list[str], tx: TextData) -> list[str]:
    """The vocabulary (index 0 padding, 1 unknown), most frequent tokens first."""
    layer = _vectorizer(tx.level, tx.vocabulary_size, tx.sequence_length)
    layer.adapt(texts)
    return [str(token) for token in layer.get_vocabulary()]


def encode_texts(texts: list[str], vocabulary: list[str], prep: dict[str, Any]) -> np.ndarray:
    """Token ids (n, sequence_length) int32, or their one-hot (n, length, vocabulary)."""
    layer = _vectorizer(prep["level"], len(vocabulary), prep["sequence_length"], vocabulary)
    ids = np.asarray(layer(np.asarray(texts, dtype=object)), dtype=np.int32)
    if prep["encoding"] == "ids":
        return ids
    onehot = np.eye(len(vocabulary), dtype=np.float32)[ids]
    onehot[..., 0] = 0.0  # padding is no token at all
    return onehot


def text_inputs(
    inputs: list[str], prep: dict[str, Any], vocabulary: list[str]
) -> tuple[np.ndarray, list[str]]:
    """For `predict`: each input is a .txt file (one text), a .csv (its text column, or
    its first column) or the text itself; encoded with the run's vocabulary."""
    texts, labels = [], []
    for item in inputs:
        path = Path(item)
        if path.suffix.lower() == ".txt" and path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
            labels.append(path.name)
        elif path.suffix.lower() == ".csv" and path.is_file():
            rows = [row for _, row in ff.read_csv_rows(path)]  # unreadable: a DataError
            column = rows[0].index("text") if rows and "text" in rows[0] else 0
            for line, row in enumerate(rows[1:], start=2):
                texts.append(row[column])
                labels.append(f"{path.name}:{line}")
        else:
            texts.append(item)
            labels.append(item if len(item) <= 40 else item[:37] + "...")
    return encode_texts(texts, vocabulary, prep), labels
