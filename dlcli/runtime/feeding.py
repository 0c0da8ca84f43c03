"""Hand a Dataset to Keras: numpy arrays as they are, or a source's streamed batches.

Array sources give x/y per split; a streaming source (image_folder) gives a factory of
backend datasets, built once per process and batched by the source itself. The runner
and `evaluate` ask here what to fit and what to evaluate on, so both kinds go through
the one same code.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from dlcli.config.schema import TrainConfig
from dlcli.errors import UsageError
from dlcli.runtime.speed import fit_options


def fit_arguments(dataset, train: TrainConfig, processes: int = 1) -> dict[str, Any]:
    """x, y, validation_data and the fit options for model.fit(); in a job of several
    processes, each feeds its share of every batch."""
    options = fit_options(train, processes)
    if dataset.stream is None:
        validation = (dataset.x_val, dataset.y_val) if dataset.x_val is not None else None
        return {"x": dataset.x_train, "y": dataset.y_train, "validation_data": validation,
                **options}  # fmt: skip
    train_stream, val_stream = dataset.streams(train.batch_size, train.shuffle)
    for batched in ("batch_size", "validation_batch_size"):  # the stream batches itself
        options.pop(batched)
    options["shuffle"] = False  # and reshuffles itself (train.shuffle) every epoch
    return {"x": train_stream, "validation_data": val_stream, **options}


def evaluation_split(dataset, batch_size: int) -> tuple[str, Any, Any]:
    """(split name, x, y) to score a trained model on: test, else validation, else train.
    For a stream, x is the batched dataset and y is None."""
    if dataset.stream is not None:  # the batches training used, if it ran: memory stays
        # bounded by train.batch_size images, not eval_batch_size
        train_stream, val_stream = dataset.streams(batch_size, reuse=True)
        return ("validation", val_stream, None) if val_stream is not None else (
            "train", train_stream, None)  # fmt: skip
    if dataset.x_test is not None:
        return "test", dataset.x_test, dataset.y_test
    if dataset.x_val is not None:
        return "validation", dataset.x_val, dataset.y_val
    return "train", dataset.x_train, dataset.y_train


def evaluate_on(model, x, y, batch_size: int) -> dict[str, float]:
    if y is None:  # a batched stream
        result = model.evaluate(x, verbose=0, return_dict=True)
    else:
        result = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return {key: float(value) for key, value in result.items()}


def class_predictions(model, x, y, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(true class ids, predicted class ids) on one split, for the confusion matrix."""
    if y is None:
        truths, guesses = [], []
        for batch_x, batch_y in x:
            truths.append(np.asarray(batch_y))
            guesses.append(np.asarray(model.predict_on_batch(batch_x)))
        y_true, scores = np.concatenate(truths), np.concatenate(guesses)
    else:
        y_true, scores = np.asarray(y), np.asarray(model.predict(x, batch_size=batch_size,
                                                                  verbose=0))  # fmt: skip
    return _ids(y_true), _ids(scores)


def _ids(values: np.ndarray) -> np.ndarray:
    """Class ids from one-hot rows, probability rows, one sigmoid column or plain ids."""
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] > 1:
        return values.argmax(axis=1)
    flat = values.reshape(-1)
    if flat.dtype.kind == "f" and flat.size and (np.any(flat % 1 != 0)):
        return (flat >= 0.5).astype(np.int64)  # a sigmoid's probability of class 1
    return flat.astype(np.int64)


def shapes(dataset) -> dict[str, list[int] | None]:
    """Array shapes per split (for data.json); a stream's as (samples, *sample shape)."""
    names = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
    if dataset.stream is not None:
        sample = list(dataset.x_train.shape[1:])
        val = dataset.info.get("validation_samples", 0)
        return {"x_train": [dataset.train_samples, *sample],
                "x_val": [val, *sample] if val else None}  # fmt: skip
    return {
        n: (list(getattr(dataset, n).shape) if getattr(dataset, n) is not None else None)
        for n in names
    }


def even_for_replicas(dataset, replicas: int, batch_size: int):
    """The dataset with every split cut to a multiple of `replicas` samples (at most
    replicas - 1 left out of each), so every batch, the last one too, splits evenly over
    the replicas of train.distribute: mirrored: both backends refuse an uneven split
    ("dimension size is 77" on JAX, "AddN ... same size" on TensorFlow). A new Dataset;
    the one given is unchanged (a comparison's members share it)."""
    if replicas < 2:
        return dataset
    if batch_size % replicas:
        raise UsageError(
            f"train.batch_size {batch_size} must divide evenly over the {replicas} replicas "
            f"of train.distribute: mirrored (e.g. {batch_size // replicas * replicas or replicas})"
        )
    if dataset.stream is not None:
        return dataset
    cut: dict[str, Any] = {}
    for split in ("train", "val", "test"):
        x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        if x is not None:
            keep = len(x) // replicas * replicas
            cut[f"x_{split}"], cut[f"y_{split}"] = x[:keep], y[:keep]
    info = {**dataset.info, "replicas": f"each split cut to a multiple of {replicas} samples"}
    return replace(dataset, **cut, info=info, _built={})
