"""`evaluate RUN --data PATH` for image folders, text and time series: the run's own
preprocessing (classes, vocabulary, training statistics), never refitted.

The strong check per source: evaluating on a copy of the very data the run scored itself
on gives the run's own metrics.json again, which it can only do if the new data went
through the same preprocessing; then the mistakes a user can make, each one message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml
from PIL import Image

from dlcli.config.loader import load_config
from dlcli.data.sources import source_for
from dlcli.errors import DataError
from dlcli.trained.inference import evaluate
from dlcli.training.request import Output, TrainRequest
from dlcli.training.runner import train


def _train(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    request = TrainRequest(runs_dir=tmp_path / "runs", output=Output("none"))
    return train(load_config(path), request).path


def _own_metrics(run: Path) -> dict[str, float]:
    metrics = json.loads((run / "metrics.json").read_text())
    metrics.pop("split")
    return metrics


def _assert_same_metrics(record: dict, run: Path) -> None:
    own = _own_metrics(run)
    assert set(record["metrics"]) == set(own)
    for name, value in own.items():  # float32 sums in another batch split: rounding only
        assert record["metrics"][name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


# --- image folder ------------------------------------------------------------------


def _images(root: Path, classes=("cat", "dog"), per_class: int = 6) -> Path:
    rng = np.random.default_rng(len(classes))
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):  # mixed sizes (resized), noisy so the loss is not trivial
            size = (10, 10) if i % 2 else (12, 9)
            pixels = rng.integers(0, 256, (size[1], size[0], 3)) // 2 + 100 * k
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{i}.png")
    return root


IMAGE_CONFIG = {
    "seed": 1,
    "data": {"dataset": "image_folder", "path": "images", "labels": "onehot",
             "validation": "none",  # then the run scores itself on all its images
             "image_folder": {"image_size": [6, 6], "resize": True, "color_mode": "grayscale"}},
    "model": {"input_shape": [6, 6, 1],
              "layers": ["Flatten", {"Dense": {"units": 2, "activation": "softmax"}}]},
    "compile": {"loss": "categorical_crossentropy", "optimizer": "adam",
                "metrics": ["accuracy"]},
    "train": {"epochs": 1, "batch_size": 4},
}  # fmt: skip


def test_image_folder_copy_reproduces_the_runs_metrics_and_unknown_classes_are_named(
    tmp_path: Path,
) -> None:
    _images(tmp_path / "images")
    run = _train(tmp_path, IMAGE_CONFIG)
    copy = shutil.copytree(tmp_path / "images", tmp_path / "held_out")
    record = evaluate(run, str(copy))
    assert record["samples"] == 12 and record["data"] == str(copy.resolve())
    _assert_same_metrics(record, run)
    assert json.loads((run / "evaluation.json").read_text())["metrics"] == record["metrics"]

    (copy / "bird").mkdir()
    Image.new("L", (6, 6)).save(copy / "bird" / "0.png")
    with pytest.raises(DataError, match=r"class folders 'bird' the model was not trained on "
                                        r"\(its classes: cat, dog\)"):  # fmt: skip
        evaluate(run, str(copy))


def test_image_folder_subset_keeps_the_training_class_indices(tmp_path: Path) -> None:
    _images(tmp_path / "dogs_only", classes=("dog",), per_class=3)
    prep = {"kind": "image_folder", "input_shape": [6, 6, 1], "color_mode": "grayscale",
            "scale": 255.0, "resize": True, "class_names": ["cat", "dog"], "labels": "sparse",
            "num_classes": 2}  # fmt: skip
    run = SimpleNamespace(preprocessing=prep,  # what the source reads of a finished run
                          config=SimpleNamespace(train=SimpleNamespace(eval_batch_size=2)))
    given = source_for("image_folder").evaluation_data(str(tmp_path / "dogs_only"), run)
    labels = np.concatenate([np.asarray(y) for _, y in given.x])
    images = np.concatenate([np.asarray(x) for x, _ in given.x])
    assert given.samples == 3 and labels.tolist() == [1, 1, 1]  # dog is class 1, not 0
    assert images.shape == (3, 6, 6, 1) and images.max() <= 1.0


# --- text --------------------------------------------------------------------------

REVIEWS = [("good film", "pos"), ("great film", "pos"), ("bad film", "neg"),
           ("awful plot", "neg"), ("good plot", "pos"), ("dull plot", "neg"),
           ("great acting", "pos"), ("bad acting", "neg"), ("good unseen", "pos"),
           ("awful unseen", "neg")]  # fmt: skip

TEXT_CONFIG = {
    "seed": 1,
    "data": {"dataset": "text", "path": "reviews.csv", "labels": "sparse", "shuffle": False,
             "test_split": 0.4, "validation": "none",
             "text": {"sequence_length": 3, "vocabulary_size": 20}},
    "model": {"input_shape": [3],
              "layers": [{"Embedding": {"input_dim": 20, "output_dim": 2}}, "Flatten",
                         {"Dense": {"units": 2, "activation": "softmax"}}]},
    "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    "train": {"epochs": 1, "batch_size": 4},
}  # fmt: skip


def _reviews(path: Path, rows) -> Path:
    path.write_text("text,label\n" + "".join(f"{t},{label}\n" for t, label in rows))
    return path


def test_text_csv_and_folder_reproduce_the_runs_test_metrics(tmp_path: Path) -> None:
    _reviews(tmp_path / "reviews.csv", REVIEWS)
    run = _train(tmp_path, TEXT_CONFIG)
    # Unshuffled, the test split is the last 40 % of the rows; words like "unseen" are
    # outside the training vocabulary, so a refitted vocabulary would change the ids.
    test_rows = REVIEWS[-4:]
    record = evaluate(run, str(_reviews(tmp_path / "held_out.csv", test_rows)))
    assert record["samples"] == 4
    _assert_same_metrics(record, run)

    folder = tmp_path / "held_out"
    for i, (text, label) in enumerate(test_rows):  # the same texts as class folders
        (folder / label).mkdir(parents=True, exist_ok=True)
        (folder / label / f"{i}.txt").write_text(text)
    _assert_same_metrics(evaluate(run, str(folder)), run)

    unknown = _reviews(tmp_path / "more.csv", [("good film", "pos"), ("meh film", "mixed")])
    with pytest.raises(DataError, match=r"more.csv: has labels 'mixed' the model was not "
                                        r"trained on \(its classes: neg, pos\)"):  # fmt: skip
        evaluate(run, str(unknown))
    (tmp_path / "no_label.csv").write_text("text,stars\ngood film,5\nbad film,1\n")
    with pytest.raises(DataError, match="has no column 'label'"):
        evaluate(run, str(tmp_path / "no_label.csv"))


# --- time series -------------------------------------------------------------------

SERIES_CONFIG = {
    "seed": 1,
    "data": {"dataset": "timeseries", "path": "series.csv", "test_split": 0.25,
             "validation_split": 0.2, "shuffle": False,
             "timeseries": {"window": 5, "horizon": 2, "columns": ["temp", "load"],
                            "target": "load"}},
    "model": {"input_shape": [5, 2], "layers": ["Flatten", {"Dense": {"units": 1}}]},
    "compile": {"loss": "mse", "metrics": ["mae"]},
    "train": {"epochs": 1, "batch_size": 8},
}  # fmt: skip


def _series(path: Path, rows: np.ndarray) -> Path:
    body = "".join(f"{i},{t:.6f},{load:.6f}\n" for i, (t, load) in enumerate(rows))
    path.write_text("step,temp,load\n" + body)
    return path


def test_timeseries_uses_the_training_statistics_and_reports_the_naive_forecast(
    tmp_path: Path,
) -> None:
    steps = np.arange(120)
    # A trend: the test rows' own mean/std differ from the training rows', so
    # standardising with the evaluation data's statistics would change the metrics.
    rows = np.stack([steps * 0.5 + np.sin(steps / 3), 20 + steps * 0.2 + np.cos(steps / 4)], 1)
    _series(tmp_path / "series.csv", rows)
    run = _train(tmp_path, SERIES_CONFIG)
    data = json.loads((run / "data.json").read_text())
    start, end = data["rows"]["test"]
    held_out = _series(tmp_path / "next_month.csv", rows[start:end])
    record = evaluate(run, str(held_out))
    assert record["samples"] == (end - start) - 5 - 2 + 1
    _assert_same_metrics(record, run)
    naive = data["naive_last_value"]
    assert naive["split"] == "test"
    assert record["naive_last_value"]["mae"] == pytest.approx(naive["mae"], rel=1e-6)
    assert record["naive_last_value"]["units"] == "standardised"

    short = _series(tmp_path / "short.csv", rows[:6])
    with pytest.raises(DataError, match="short.csv: 6 rows, but one window of 5 steps plus "
                                        "a horizon of 2 needs 7"):  # fmt: skip
        evaluate(run, str(short))
    (tmp_path / "no_load.csv").write_text("step,temp\n" + "".join(f"{i},1\n" for i in range(9)))
    with pytest.raises(DataError, match="no_load.csv: has no column 'load'; the model was "
                                        "trained on columns temp, load"):  # fmt: skip
        evaluate(run, str(tmp_path / "no_load.csv"))
