"""Say which layer a converter could not take, and why, from the converter's error.

Converters name the graph nodes they fail on after the Keras layers that made them
(`sequential_1/lstm_1/TensorArrayV2`), so the layer is found by name in the error
text; the reason is the converter's own sentence about the failing op.
"""

from __future__ import annotations

import re
from typing import Any

from dlcli.errors import ModelError, first_line

_OP_PROBLEM = re.compile(r"'(?:tf|tfl|onnx)\.\w+' op [^\n]+")
_MISSING_PACKAGE = ("onnx", "onnxruntime", "tf2onnx", "ai_edge_litert")


def culprit_layer(model: Any, text: str) -> Any | None:
    """The model's layer whose name the error's node names carry, if any."""
    for layer in sorted(model.layers, key=lambda layer: -len(layer.name)):
        if re.search(rf"(^|[/\"'\s]){re.escape(layer.name)}(_\d+)?/", text):
            return layer
    return None


def reason(text: str) -> str:
    problem = _OP_PROBLEM.search(text)
    return problem.group(0).strip() if problem else first_line(Exception(text.strip()))


def conversion_error(model: Any, fmt: str, error: BaseException) -> ModelError:
    """One clear message: the layer (and its type) if it can be found, and why."""
    package = (getattr(error, "name", None) or "").split(".")[0]
    if isinstance(error, ImportError) and package in _MISSING_PACKAGE:
        return ModelError(
            f"{fmt}: needs the package {package!r}; install dlcli's export extra: "
            "pip install 'dlcli[export]'"
        )
    text = str(error)
    layer = culprit_layer(model, text)
    where = (
        f"layer {layer.name!r} ({type(layer).__name__}) cannot be exported"
        if layer is not None
        else "the converter cannot export this model"
    )
    return ModelError(f"{fmt}: {where}: {reason(text)}; nothing was written")
