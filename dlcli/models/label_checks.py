"""Does a model trained on labels fit them? Its loss and the labels' form, and (for one
stack of layers) its output layer's width and its input Embedding's vocabulary.

Checked with numpy before TensorFlow starts, for the kinds that train on labels
(dlcli.models.kind.ModelKind.fit_problems); each message names the config key and the fix.
"""

from __future__ import annotations

import numpy as np

from dlcli.config.layers import layer_args, layer_type
from dlcli.config.loader import LoadedConfig
from dlcli.errors import Problem

_CATEGORICAL = ("categorical_crossentropy", "categorical_focal_crossentropy")
_SPARSE = ("sparse_categorical_crossentropy",)
_BINARY = ("binary_crossentropy", "bce", "binary_focal_crossentropy")


def _output_layer(loaded: LoadedConfig):
    layers = loaded.config.model.layers
    index = len(layers) - 1
    return index, layer_type(layers[index]), layer_args(layers[index])


def output_problems(loaded: LoadedConfig, y: np.ndarray, num_classes: int | None) -> list[Problem]:
    index, kind, args = _output_layer(loaded)
    if kind != "Dense":
        return []  # other output layers are left to Keras
    path = ("model", "layers", index, "Dense", "units")
    labels = loaded.config.data.labels
    problems = []
    if args.activation == "softmax" and args.units == 1:
        problems.append(
            loaded.problem(
                ("model", "layers", index, "Dense", "activation"),
                "softmax over a single unit always outputs 1.0; use sigmoid for one output "
                "(binary), or one unit per class with softmax",
            )
        )
    loss = loaded.config.compile.loss
    binary = loss in _BINARY and args.units == 1 and num_classes == 2
    if loss in _CATEGORICAL and _integer_labels(y):
        return problems  # loss_problems says to one-hot them; a width error would mislead
    if labels == "sparse" or loss in _SPARSE:  # class numbers: one unit per class
        classes = num_classes or (int(y.max()) + 1 if y.size else None)
        if classes and args.units != classes and not binary:
            problems.append(
                loaded.problem(
                    path, f"the output layer has {args.units} units but the data has "
                    f"{classes} classes",
                )
            )  # fmt: skip
        return problems
    width = y.shape[1] if y.ndim > 1 else 1
    if args.units != width:
        what = f"{width} classes (one-hot)" if labels == "onehot" else f"{width} target values"
        message = f"the output layer has {args.units} units but each label has {what}"
        problems.append(loaded.problem(path, message))
    return problems


def _integer_labels(y: np.ndarray) -> bool:
    return y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)


def embedding_problems(loaded: LoadedConfig, x: np.ndarray) -> list[Problem]:
    """Token ids beyond an input Embedding's vocabulary fail deep inside TensorFlow."""
    first = loaded.config.model.layers[0]
    if layer_type(first) != "Embedding" or not x.size:
        return []
    top, vocabulary = int(x.max()), layer_args(first).input_dim
    if top < vocabulary:
        return []
    return [
        loaded.problem(
            ("model", "layers", 0, "Embedding", "input_dim"),
            f"the data holds token ids up to {top} but input_dim is {vocabulary}; use "
            f"input_dim: {top + 1} (or keep fewer words with data.num_words)",
        )
    ]


def loss_problems(loaded: LoadedConfig, y: np.ndarray, num_classes: int | None) -> list[Problem]:
    loss = loaded.config.compile.loss
    labels = loaded.config.data.labels
    path = ("compile", "loss")
    if loss in _CATEGORICAL and _integer_labels(y):
        return [
            loaded.problem(
                path,
                f"{loss} needs one-hot labels but the labels are class "
                "numbers; use loss: sparse_categorical_crossentropy, or set "
                "data.labels: onehot",
            )
        ]
    if loss in _SPARSE and labels == "onehot":
        return [
            loaded.problem(
                path,
                f"{loss} needs class numbers but data.labels is onehot; "
                "use loss: categorical_crossentropy, or data.labels: sparse",
            )
        ]
    if loss in _BINARY and num_classes is not None and num_classes > 2:
        return [
            loaded.problem(
                path,
                f"{loss} is for two classes but the data has "
                f"{num_classes}; use categorical_crossentropy (one-hot labels) "
                "or sparse_categorical_crossentropy",
            )
        ]
    return []
