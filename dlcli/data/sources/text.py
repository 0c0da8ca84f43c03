"""`dataset: text`: labelled text from a CSV or one folder per class of .txt files,
encoded with a vocabulary fitted on the training split (`dlcli.data.text`).

A run's inputs are texts, encoded with the run's vocabulary.json: `predict` takes
strings, .txt files or a CSV's text column, the server takes raw strings only (never a
path: a request must not make the server read its files), `evaluate --data` a labelled
CSV or folder read as training read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import BUILTIN_DATASETS, TextData
from dlcli.config.schema import DataConfig
from dlcli.data.dataset import Dataset
from dlcli.data.evaluation_data import EvaluationData, training_class_ids
from dlcli.data.sources.base import DataSource, FinishedRun
from dlcli.errors import DataError

MAX_TEXT_CHARS = 100_000  # one text of a request; longer is cut to sequence_length anyway


class TextSource(DataSource):
    name = "text"
    rules = BUILTIN_DATASETS["text"]
    reads_requests = True
    how = (
        "text -> lower case, punctuation removed (Keras TextVectorization, "
        "'lower_and_strip_punctuation') -> split into words (level: word) or characters -> "
        "each token's index in vocabulary.json, which lies beside this file (0: padding, "
        "1: unknown) -> padded with 0 or cut to sequence_length; encoding onehot: then one "
        "vocabulary_size-wide 0/1 vector per token, all 0 for padding"
    )

    def load(self, cfg: DataConfig, seed: int) -> Dataset:
        from dlcli.data.text import load_text

        return load_text(cfg, seed)

    def predict_inputs(
        self, run: FinishedRun, inputs: list[str], invert: str
    ) -> tuple[Any, Sequence[str]]:
        """Raw strings (or .txt/.csv files) -> token ids."""
        from dlcli.data.text import text_inputs

        return text_inputs(inputs, run.preprocessing, run.vocabulary)

    def request_inputs(self, run: FinishedRun, inputs: list) -> np.ndarray:
        from dlcli.data.text import encode_texts

        if not all(isinstance(text, str) for text in inputs):
            raise DataError('"inputs" must be a list of strings: this model classifies text')
        if any(len(text) > MAX_TEXT_CHARS for text in inputs):
            raise DataError(f"a text over {MAX_TEXT_CHARS:,} characters; send less")
        return encode_texts(inputs, run.vocabulary, run.preprocessing)

    def evaluation_data(self, path: str, run: FinishedRun) -> EvaluationData:
        """A labelled CSV or class folders, with the run's classes and vocabulary."""
        from dlcli.data.preprocess import preprocess_labels
        from dlcli.data.text import encode_texts, read_labelled_texts

        prep, source = run.preprocessing, Path(path)
        if not source.exists():
            raise DataError(f"{path}: no such file or folder (a text CSV, or one folder per class)")
        texts, labels = read_labelled_texts(source, run.config.data.text or TextData(), {})
        ids = training_class_ids(labels, prep, path, "has labels")
        x = encode_texts(texts, run.vocabulary, prep)
        return EvaluationData(x, preprocess_labels(ids, prep), len(x))
