"""Use a finished run: evaluate it again, predict with it, look inside it.

Models are loaded with Keras's safe mode on, so a tampered `model.keras` (one that
carries a Lambda layer, i.e. code) is refused rather than run.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.loader import LoadedConfig, load_config
from dlcli.config.schema import Config
from dlcli.data.evaluation_data import EvaluationData
from dlcli.data.sources import DataSource, source_for
from dlcli.errors import ConfigError, DataError, RunDirError, first_line
from dlcli.models.kinds import model_kind
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import translated_errors

SMALL_MODEL = 64  # models with at most this many parameters are shown value by value


@dataclass
class TrainedRun:
    run: RunDir
    loaded: LoadedConfig
    model: Any
    preprocessing: dict[str, Any]

    @property
    def config(self) -> Config:
        return self.loaded.config

    @cached_property
    def source(self) -> DataSource:
        """The source of the run's data, which reads its new inputs the same way."""
        return source_for(self.loaded.config.data.dataset)

    @cached_property
    def vocabulary(self) -> list[str]:
        """A text run's vocabulary.json (the token of each id), read once: predict,
        evaluate --data and every request to the server use this one copy."""
        try:  # through RunDir: a regular file, bounded (a FIFO would block the server)
            return self.run.read_json(self.preprocessing["vocabulary_file"])
        except RunDirError as error:
            raise RunDirError(f"{error}; a text run needs its vocabulary") from None


def load_run_config(run: RunDir) -> LoadedConfig:
    """The config a run saved when it started (resolved: it stands alone)."""
    try:
        return load_config(run.file(files.CONFIG_FILE))
    except ConfigError as error:
        raise RunDirError(f"{run.path}: its {files.CONFIG_FILE} is invalid:\n{error}") from None


def load_trained(
    path: str | Path, verbose: bool = False, loaded: LoadedConfig | None = None
) -> TrainedRun:
    """Open a run directory and load its model, refusing anything incomplete or unsafe.
    `loaded`: the run's config when the caller has already read it."""
    run = RunDir.open(path)
    run.require_completed()  # and not training again: a resume replaces model.keras
    loaded = loaded or load_run_config(run)
    model_file = run.file(files.MODEL_FILE)
    if not model_file.is_file():
        raise RunDirError(f"{run.path}: has no {files.MODEL_FILE} (it was deleted); train again")
    if not zipfile.is_zipfile(model_file):  # Keras would call it "not found"
        raise RunDirError(
            f"{model_file}: damaged (not a complete .keras archive; truncated?); train again"
        )
    from dlcli.runtime.bootstrap import import_keras

    keras = import_keras(verbose)  # any backend loads any run: .keras files are neutral

    model_kind(loaded.config.model.kind).register_saved_layers()  # e.g. a graph's inputs
    try:
        model = keras.saving.load_model(str(model_file), safe_mode=True)
    except (ValueError, TypeError, OSError, KeyError, zipfile.BadZipFile) as error:
        raise RunDirError(
            f"{model_file}: cannot load the model ({first_line(error)}); "
            "it may be damaged, or unsafe to load"
        ) from None
    return TrainedRun(run, loaded, model, run.read_json(files.PREPROCESSING_FILE))


def evaluate(path: str | Path, data: str | None = None, verbose: bool = False) -> dict[str, Any]:
    """Evaluate a run's model on its own test split (or a file); record the result."""
    from dlcli.runtime.feeding import evaluate_on

    run = RunDir.open(path)
    loaded = load_run_config(run)
    model_kind(loaded.config.model.kind).refuse_evaluation(run.path)  # before Keras starts
    trained = load_trained(path, verbose, loaded)
    cfg = trained.loaded.config
    if data:
        split, given = str(Path(data).resolve()), _given_data(trained, data)
    else:
        split, given = _own_split(trained)
    with translated_errors(DataError, f"cannot evaluate on {split}"):
        metrics = evaluate_on(trained.model, given.x, given.y, cfg.train.eval_batch_size)
    record = {
        "data": split,
        "samples": int(given.samples),
        "evaluated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "metrics": metrics,
        **given.extra,
    }
    trained.run.write_json(files.EVALUATION_FILE, record)
    return record


def _own_split(trained: TrainedRun) -> tuple[str, EvaluationData]:
    """The run's own held-out split, re-read from its config (a stream for image folders)."""
    from dlcli.data.pipeline import load_dataset
    from dlcli.runtime.feeding import evaluation_split

    cfg = trained.loaded.config
    dataset = load_dataset(cfg.data, cfg.seed)
    _check_same_vocabulary(trained, dataset)
    split, x, y = evaluation_split(dataset, cfg.train.eval_batch_size)
    if y is not None:
        check_input_shape(trained.model, x, split)
    samples = len(x) if y is not None else dataset.info[f"{split}_samples"]
    return split, EvaluationData(x, y, samples)


def _given_data(trained: TrainedRun, data: str) -> EvaluationData:
    """`evaluate --data`: the file (or folder) read and preprocessed as the run's own data
    was, by the run's source: arrays files through the recorded scaling; image folders,
    text and time series with the run's classes, vocabulary and statistics."""
    given = trained.source.evaluation_data(data, trained)
    if given.y is not None:
        check_input_shape(trained.model, given.x, data)
    return given


def _check_same_vocabulary(trained: TrainedRun, dataset) -> None:
    """Text: the data re-read now must give the vocabulary the model was trained with."""
    for name, text in dataset.run_files.items():
        saved = trained.run.file(name)
        if saved.is_file() and saved.read_text(encoding="utf-8") != text:
            raise DataError(
                f"{trained.run.path}: the training data has changed since this run "
                f"({name} would differ); evaluate it with the data it was trained on"
            )


def check_input_shape(model, x: np.ndarray, what: str) -> None:
    want = tuple(model.input_shape[1:])
    if tuple(x.shape[1:]) != want:
        raise DataError(
            f"{what}: a sample has shape {list(x.shape[1:])} after preprocessing "
            f"but the model takes {list(want)}"
        )


def inspect(path: str | Path, verbose: bool = False) -> list[dict[str, Any]]:
    """Each layer's weights: shapes and statistics, and the values for small models."""
    trained = load_trained(path, verbose)
    small = trained.model.count_params() <= SMALL_MODEL
    layers = []
    for layer in trained.model.layers:
        weights = []
        for variable in layer.weights:
            values = np.asarray(variable.numpy())
            entry = {
                "name": variable.path if hasattr(variable, "path") else variable.name,
                "shape": list(values.shape),
                "mean": float(values.mean()),
                "std": float(values.std()),
                "min": float(values.min()),
                "max": float(values.max()),
            }
            if small:
                entry["values"] = values.tolist()
            weights.append(entry)
        layers.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "params": int(layer.count_params()),
                "weights": weights,
            }
        )
    return layers
