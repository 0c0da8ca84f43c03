"""Use a finished run: evaluate it again, predict with it, look inside it.

Models are loaded with Keras's safe mode on, so a tampered `model.keras` (one that
carries a Lambda layer, i.e. code) is refused rather than run.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.loader import LoadedConfig, load_config
from dlcli.errors import ConfigError, DataError, RunDirError, first_line
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.training.builder import model_errors

SMALL_MODEL = 64  # models with at most this many parameters are shown value by value


@dataclass
class TrainedRun:
    run: RunDir
    loaded: LoadedConfig
    model: Any
    preprocessing: dict[str, Any]


def load_trained(path: str | Path, verbose: bool = False) -> TrainedRun:
    """Open a run directory and load its model, refusing anything incomplete or unsafe."""
    run = RunDir.open(path)
    try:
        loaded = load_config(run.file(files.CONFIG_FILE))
    except ConfigError as error:
        raise RunDirError(f"{run.path}: its {files.CONFIG_FILE} is invalid:\n{error}") from None
    model_file = run.file(files.MODEL_FILE)
    if not model_file.is_file():
        state = run.status().get("state")
        why = "it was deleted" if state == files.COMPLETED else f"the run is {state}"
        raise RunDirError(
            f"{run.path}: has no {files.MODEL_FILE} ({why}); only a completed run can be used"
        )
    if not zipfile.is_zipfile(model_file):  # Keras would call it "not found"
        raise RunDirError(
            f"{model_file}: damaged (not a complete .keras archive; truncated?); train again"
        )
    from dlcli.config.runtime import import_keras

    keras = import_keras(verbose)  # any backend loads any run: .keras files are neutral

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
    from dlcli.data.pipeline import load_arrays_file, load_dataset
    from dlcli.data.preprocess import preprocess_inputs, preprocess_labels

    trained = load_trained(path, verbose)
    cfg = trained.loaded.config
    if data:
        x, y = load_arrays_file(data, target=cfg.data.target)
        if y is None:
            raise DataError(f"{data}: has inputs but no labels; evaluate needs both")
        x = preprocess_inputs(x, trained.preprocessing)
        y = preprocess_labels(y, trained.preprocessing)
        split = str(Path(data).resolve())
    else:
        dataset = load_dataset(cfg.data, cfg.seed)
        split, x, y = evaluation_split(dataset)
    _check_input_shape(trained.model, x, data or split)
    try:
        result = trained.model.evaluate(
            x, y, batch_size=cfg.train.eval_batch_size, verbose=0, return_dict=True
        )
    except model_errors() as error:
        raise DataError(f"cannot evaluate on {split}: {first_line(error)}") from None
    record = {
        "data": split,
        "samples": int(len(x)),
        "evaluated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "metrics": {k: float(v) for k, v in result.items()},
    }
    trained.run.write_json(files.EVALUATION_FILE, record)
    return record


def evaluation_split(dataset) -> tuple[str, np.ndarray, np.ndarray]:
    if dataset.x_test is not None:
        return "test", dataset.x_test, dataset.y_test
    if dataset.x_val is not None:
        return "validation", dataset.x_val, dataset.y_val
    return "train", dataset.x_train, dataset.y_train


PREDICT_CHUNK = 65_536  # rows per model.predict call: what a prediction holds at once


def predict(
    path: str | Path,
    inputs: list[str],
    top_k: int = 1,
    verbose: bool = False,
    invert: str = "auto",
    threshold: float = 0.5,
) -> list[dict[str, Any]]:
    """Predicted class and probability (top-k) per input, or the values for regression.

    `invert` (auto|always|never): grayscale images' colour inversion; `threshold`: the
    probability at which a single sigmoid output means class 1.
    """
    _, chunks = predict_chunks(path, inputs, top_k, verbose, invert, threshold)
    return [row for chunk in chunks for row in chunk]


def predict_chunks(
    path: str | Path,
    inputs: list[str],
    top_k: int = 1,
    verbose: bool = False,
    invert: str = "auto",
    threshold: float = 0.5,
) -> tuple[int, Iterator[list[dict[str, Any]]]]:
    """The number of rows, and their predictions PREDICT_CHUNK rows at a time, so a
    caller writing them out never holds more than one chunk of result rows."""
    from dlcli.data.inputs import read_inputs
    from dlcli.data.validation import refuse_non_finite

    check_threshold(threshold)
    trained = load_trained(path, verbose)
    raw, labels = read_inputs(
        inputs, raw_input_shape(trained), target=trained.loaded.config.data.target,
        invert=invert, preprocessing=trained.preprocessing,
    )  # fmt: skip
    refuse_non_finite(raw, labels)
    x = model_inputs(trained, raw, ", ".join(inputs))
    batch_size = trained.loaded.config.train.eval_batch_size

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for start in range(0, len(x), PREDICT_CHUNK):
            part = slice(start, start + PREDICT_CHUNK)
            try:
                outputs = trained.model.predict(x[part], verbose=0, batch_size=batch_size)
            except model_errors() as error:
                raise DataError(
                    f"cannot predict for {', '.join(inputs)}: {first_line(error)}"
                ) from None
            yield prediction_rows(
                np.asarray(outputs), labels[part], trained.preprocessing, top_k, threshold
            )

    return len(x), chunks()


def raw_input_shape(trained: TrainedRun) -> tuple[int, ...]:
    """One raw sample as the training data held it (28x28 for MNIST); reshape follows."""
    shape = trained.preprocessing.get("input_shape") or trained.loaded.config.model.input_shape
    return tuple(int(d) for d in shape)


def model_inputs(trained: TrainedRun, raw: Any, what: str) -> np.ndarray:
    """Raw inputs preprocessed as the training data was, checked against the model."""
    from dlcli.data.preprocess import preprocess_inputs

    x = preprocess_inputs(raw, trained.preprocessing)
    _check_input_shape(trained.model, x, what)
    return x


def check_threshold(threshold: float) -> None:
    if not 0.0 < threshold < 1.0:
        raise DataError(f"threshold must be between 0 and 1 (exclusive), not {threshold}")


def prediction_rows(
    outputs: np.ndarray, labels: list[str], preprocessing: dict, top_k: int, threshold: float
) -> list[dict[str, Any]]:
    """One row per input: class id, class name and probability (top-k), or the values."""
    classes = preprocessing.get("num_classes")
    names = preprocessing.get("class_names") or (
        [str(i) for i in range(classes)] if classes else None
    )
    pairs = zip(labels, outputs, strict=True)
    return [_prediction(label, row, names, top_k, threshold) for label, row in pairs]


def _prediction(
    label: str, row: np.ndarray, names: list[str] | None, top_k: int, threshold: float
) -> dict:
    row = row.reshape(-1)
    extra: dict[str, float] = {}
    if names and len(row) == 1:  # one sigmoid unit: p is the probability of class 1
        p = float(row[0])
        ranked = [(1, p), (0, 1 - p)] if p >= threshold else [(0, 1 - p), (1, p)]
        top = ranked[:top_k]
        extra = {"score": p, "threshold": threshold}
    elif names:
        order = np.argsort(row)[::-1][:top_k]
        top = [(int(i), float(row[i])) for i in order]
    else:
        return {"input": label, "values": [float(v) for v in row]}
    return {
        "input": label,
        "class": top[0][0],
        "class_name": _name(names, top[0][0]),
        "probability": top[0][1],
        **extra,
        "top": [{"class": c, "class_name": _name(names, c), "probability": p} for c, p in top],
    }


def _name(names: list[str], class_id: int) -> str:
    return names[class_id] if class_id < len(names) else str(class_id)


def _check_input_shape(model, x: np.ndarray, what: str) -> None:
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
