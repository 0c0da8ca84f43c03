"""The export formats: how each is written and how its own runtime runs it.

One registry (`FORMATS`), one entry per format, each a writer (Keras model -> files in
a folder) and a loader (folder -> a function from a float32 batch to the outputs, run
by that format's own runtime, never by Keras). SavedModel and ONNX are written by
Keras's `model.export` (ONNX through tf2onnx on the TensorFlow backend); LiteRT/TFLite
by TensorFlow's TFLiteConverter restricted to the built-in LiteRT ops, so the file runs
in the plain LiteRT interpreter (`ai-edge-litert`), without TensorFlow's Flex ops.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

Runner = Callable[[np.ndarray], np.ndarray]
ONNX_FILE = "model.onnx"
TFLITE_FILE = "model.tflite"
SAVED_MODEL_DIR = "saved_model"


@dataclass(frozen=True)
class Format:
    name: str
    runtime: str  # the package that loads it back for the check
    artifact: str  # the file or folder inside RUN/export/<name>/
    write: Callable[[Any, Path, int | None], None]  # (model, folder, fixed batch size)
    load: Callable[[Path], Runner]


def _quietly(call: Callable[[], Any]) -> Any:
    """Converters print pages of progress, and TensorFlow's C++ parts write to the
    process's stderr directly: e.g. "error: Lowering tensor list ops is failed" when the
    first LiteRT attempt on an LSTM fails, though the retry with batch 1 then succeeds.
    Keep the terminal for dlcli's own lines: a real failure arrives as an exception."""
    with _fds_silenced(), contextlib.redirect_stdout(io.StringIO()):
        return call()


@contextlib.contextmanager
def _fds_silenced() -> Iterator[None]:
    """File descriptors 1 and 2 pointed at a scratch file for the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def _signature(model: Any, batch: int | None) -> list:
    import keras

    return [keras.InputSpec(shape=(batch, *model.input_shape[1:]), dtype=model.inputs[0].dtype)]


def _write_saved_model(model: Any, folder: Path, batch: int | None) -> None:
    target = str(folder / SAVED_MODEL_DIR)
    _quietly(lambda: model.export(target, format="tf_saved_model", verbose=False,
                                  input_signature=_signature(model, batch)))  # fmt: skip


def _load_saved_model(folder: Path) -> Runner:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(folder / SAVED_MODEL_DIR))
    return lambda x: np.asarray(loaded.serve(tf.constant(x)))


def _write_onnx(model: Any, folder: Path, batch: int | None) -> None:
    target = str(folder / ONNX_FILE)
    _quietly(lambda: model.export(target, format="onnx", verbose=False,
                                  input_signature=_signature(model, batch)))  # fmt: skip


def _load_onnx(folder: Path) -> Runner:
    import onnxruntime

    session = onnxruntime.InferenceSession(
        str(folder / ONNX_FILE), providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    return lambda x: np.asarray(session.run(None, {name: x})[0])


def _write_tflite(model: Any, folder: Path, batch: int | None) -> None:
    """Via a SavedModel (as Keras's own LiteRT export does), built-in ops only."""
    import tensorflow as tf

    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        _write_saved_model(model, Path(scratch), batch)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(Path(scratch) / SAVED_MODEL_DIR))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        flatbuffer = _quietly(converter.convert)
    (folder / TFLITE_FILE).write_bytes(flatbuffer)


def _load_tflite(folder: Path) -> Runner:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = _quietly(lambda: Interpreter(model_path=str(folder / TFLITE_FILE)))
    source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]

    def run(x: np.ndarray) -> np.ndarray:
        if tuple(source["shape"]) != x.shape:
            interpreter.resize_tensor_input(source["index"], list(x.shape))
        _quietly(interpreter.allocate_tensors)  # its XNNPACK delegate announces itself
        interpreter.set_tensor(source["index"], x.astype(source["dtype"]))
        interpreter.invoke()
        return np.array(interpreter.get_tensor(target["index"]))

    return run


FORMATS: dict[str, Format] = {
    "saved_model": Format(
        "saved_model", "tensorflow", SAVED_MODEL_DIR, _write_saved_model, _load_saved_model
    ),
    "onnx": Format("onnx", "onnxruntime", ONNX_FILE, _write_onnx, _load_onnx),
    "tflite": Format("tflite", "ai-edge-litert", TFLITE_FILE, _write_tflite, _load_tflite),
}
