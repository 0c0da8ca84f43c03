"""`dlcli export`: three formats, each loaded back by its own runtime and checked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dlcli import api
from dlcli.errors import RunDirError, UsageError
from dlcli.export.exporter import TOLERANCE, compare
from tests.helpers.deploy import bar_images


@pytest.fixture(scope="module")
def exported(bars_run: Path) -> tuple[Path, list[dict]]:
    return bars_run, api.export(bars_run, force=True)  # another module may have exported


def test_each_format_is_written_with_its_check_and_metadata(exported) -> None:
    run, records = exported
    assert [r["format"] for r in records] == ["saved_model", "onnx", "tflite"]
    for record in records:
        folder = run / "export" / record["format"]
        assert (folder / record["artifact"]).exists()
        on_disk = json.loads((folder / "metadata.json").read_text())
        assert on_disk["check"]["passed"] and on_disk["check"]["same_classes"]
        assert on_disk["check"]["max_abs_error"] <= TOLERANCE
        assert on_disk["output"]["class_names"] == ["top", "bottom"]
        assert on_disk["inputs"]["raw_shape"] == [28, 28]
        assert on_disk["preprocessing"]["scale"] == 255
    assert sorted(p.name for p in (run / "export").iterdir()) == ["onnx", "saved_model", "tflite"]


def test_another_program_with_the_metadata_gets_predicts_classes(exported, tmp_path) -> None:
    """Raw images, preprocessed as metadata.json says, through onnxruntime and LiteRT,
    give the classes `dlcli predict` gives."""
    import onnxruntime
    from ai_edge_litert.interpreter import Interpreter

    run, _ = exported
    x, _ = bar_images(6, seed=5)
    np.save(tmp_path / "x.npy", x)
    expected = [row["class_name"] for row in api.predict(run, [tmp_path / "x.npy"])]
    meta = json.loads((run / "export" / "onnx" / "metadata.json").read_text())
    prep = meta["preprocessing"]
    ready = (x.reshape(len(x), *meta["inputs"]["model_shape"]) / prep["scale"]).astype("float32")
    session = onnxruntime.InferenceSession(str(run / "export" / "onnx" / "model.onnx"))
    onnx_out = session.run(None, {session.get_inputs()[0].name: ready})[0]
    lite = Interpreter(model_path=str(run / "export" / "tflite" / "model.tflite"))
    source = lite.get_input_details()[0]
    lite.resize_tensor_input(source["index"], list(ready.shape))
    lite.allocate_tensors()
    lite.set_tensor(source["index"], ready)
    lite.invoke()
    lite_out = lite.get_tensor(lite.get_output_details()[0]["index"])
    names = meta["output"]["class_names"]
    assert [names[i] for i in onnx_out.argmax(1)] == expected
    assert [names[i] for i in lite_out.argmax(1)] == expected


def test_an_existing_export_is_kept_unless_forced(exported) -> None:
    run, _ = exported
    before = (run / "export" / "onnx" / "metadata.json").read_text()
    with pytest.raises(RunDirError, match="already exported; pass --force"):
        api.export(run, ["onnx"])
    assert (run / "export" / "onnx" / "metadata.json").read_text() == before
    stale = run / "export" / "onnx" / "stale.onnx"  # left by an older export
    stale.write_bytes(b"old")
    [record] = api.export(run, ["onnx"], force=True)
    assert not stale.exists()  # the folder was replaced, not written over
    assert (run / "export" / "onnx" / record["artifact"]).is_file() and record["check"]["passed"]
    assert not [p for p in (run / "export").iterdir() if p.name.startswith(".")]


def test_unknown_format_lists_the_valid_ones(exported) -> None:
    run, _ = exported
    with pytest.raises(UsageError, match="'pt'; choose from saved_model, onnx, tflite"):
        api.export(run, ["pt"])


def test_the_check_fails_past_the_tolerance() -> None:
    expected = np.array([[0.25, 0.75]])
    assert compare(expected + 5e-6, expected, "test")["passed"]
    failed = compare(expected + 1e-3, expected, "test")
    assert not failed["passed"] and failed["max_abs_error"] == pytest.approx(1e-3)


def test_a_layer_a_format_cannot_take_is_named(tmp_path: Path, capfd) -> None:
    """A real converter failure: LiteRT's built-in ops cannot hold an LSTM's loop over a
    batch of unknown size (the exporter then retries with a batch of 1). The converter's
    own C++ "error:" lines stay off the terminal: the exception carries what matters."""
    import keras

    from dlcli.export.diagnose import conversion_error
    from dlcli.export.formats import FORMATS

    model = keras.Sequential([keras.Input((6, 2)), keras.layers.LSTM(3, name="lstm"),
                              keras.layers.Dense(1)])  # fmt: skip
    with pytest.raises(Exception) as caught:
        FORMATS["tflite"].write(model, tmp_path, None)
    message = str(conversion_error(model, "tflite", caught.value))
    assert "layer 'lstm' (LSTM) cannot be exported" in message
    assert "TensorListReserve" in message
    assert "Lowering tensor list ops" not in capfd.readouterr().err


LSTM_CONFIG = """\
name: lstm_sum
seed: 1
data:
  dataset: npz
  path: seq.npz
  labels: sparse
model:
  input_shape: [6, 2]
  layers:
    - LSTM: {units: 4}
    - Dense: {units: 2, activation: softmax}
compile:
  loss: sparse_categorical_crossentropy
  optimizer: adam
train:
  epochs: 1
  batch_size: 8
"""


@pytest.mark.slow
def test_a_recurrent_model_exports_to_litert_with_a_batch_of_one(tmp_path: Path) -> None:
    from tests.helpers.files import write

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6, 2)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("int64")
    np.savez(tmp_path / "seq.npz", x_train=x, y_train=y, x_test=x[:8], y_test=y[:8])
    run = api.train(write(tmp_path / "lstm.yaml", LSTM_CONFIG), runs_dir=tmp_path / "runs",
                    progress="none").path  # fmt: skip
    (record,) = api.export(run, ["tflite"])
    assert record["batch_size"] == 1 and record["check"]["passed"]
    assert record["check"]["max_abs_error"] <= TOLERANCE


def test_an_augmenting_image_folder_model_exports_what_it_predicts(tmp_path: Path) -> None:
    """Checked on streamed images; the export must not flip them: Keras's export runs a
    model without training=False, and RandomFlip then flips (it did, by up to 0.18)."""
    import yaml
    from PIL import Image

    for k, name in enumerate(("left", "right")):
        (tmp_path / "images" / name).mkdir(parents=True)
        for i in range(6):
            pixels = np.zeros((8, 8), np.uint8)
            pixels[:, : 4] = 40 * i + 30  # a bright half: left or right
            Image.fromarray(pixels if k == 0 else pixels[:, ::-1]).save(
                tmp_path / "images" / name / f"{i}.png")  # fmt: skip
    config = tmp_path / "flip.yaml"
    config.write_text(yaml.safe_dump({
        "name": "flip", "seed": 3,
        "data": {"dataset": "image_folder", "path": "images", "labels": "sparse",
                 "validation_split": 0.5, "image_folder": {"color_mode": "grayscale"}},
        "model": {"input_shape": [8, 8, 1], "layers": [
            {"RandomFlip": {"mode": "horizontal"}}, "Flatten",
            {"Dense": {"units": 2, "activation": "softmax"}}]},
        "compile": {"loss": "sparse_categorical_crossentropy", "optimizer": "adam"},
        "train": {"epochs": 1, "batch_size": 4, "tensorboard": False},
    }))  # fmt: skip
    run = api.train(config, runs_dir=tmp_path / "runs", progress="none")
    [record] = api.export(run, ["saved_model"])
    assert record["check"]["passed"] and record["check"]["max_abs_error"] <= TOLERANCE


def test_a_text_export_carries_its_vocabulary_and_how_to_use_it(tmp_path: Path) -> None:
    """Another program with only the export folder: it tokenizes as metadata.json says,
    with the vocabulary.json beside it, and onnxruntime gives dlcli predict's classes."""
    import re

    import onnxruntime

    from tests.helpers.files import REPO

    config = REPO / "configs" / "text_embedding_lstm.yaml"
    run = api.train(config, runs_dir=tmp_path / "runs", progress="none",
                    overrides=["train.epochs=1", "train.tensorboard=false"])  # fmt: skip
    [record] = api.export(run, ["onnx"])
    folder = run.path / "export" / "onnx"
    meta = json.loads((folder / "metadata.json").read_text())
    assert "vocabulary.json" in meta["preprocessing"]["how"]
    vocabulary = json.loads((folder / "vocabulary.json").read_text())
    ids = {token: i for i, token in enumerate(vocabulary)}
    length = meta["preprocessing"]["sequence_length"]
    texts = ["The film was NOT good!", "a lovely, brilliant cast"]
    rows = []
    for text in texts:  # lower case, punctuation out, split on whitespace, pad/cut
        words = re.sub(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']", "", text.lower()).split()
        tokens = [ids.get(word, 1) for word in words][:length]
        rows.append(tokens + [0] * (length - len(tokens)))
    session = onnxruntime.InferenceSession(str(folder / record["artifact"]))
    name = session.get_inputs()[0].name
    out = session.run(None, {name: np.asarray(rows, dtype=np.float32)})[0]
    names, expected = meta["output"]["class_names"], api.predict(run, texts)
    assert [names[i] for i in out.argmax(1)] == [r["class_name"] for r in expected]
    assert out.max(1) == pytest.approx([r["probability"] for r in expected], rel=1e-4)
