"""The command line end to end on tiny data: train -> evaluate -> predict -> inspect."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.runs import rundir
from tests.helpers.files import write

runner = CliRunner()

# 60 samples of 3 classes that a small MLP separates in a few epochs.
BLOBS_CONFIG = """\
name: blobs
seed: 1
data:
  dataset: npz
  path: blobs.npz
  labels: onehot
  validation: split
  validation_split: 0.2
model:
  input_shape: [4]
  activation: relu
  layers:
    - Dense: {units: 16}
    - Dense: {units: 3, activation: softmax}
compile:
  loss: categorical_crossentropy
  optimizer: {name: adam, learning_rate: 0.05}
  metrics: [accuracy]
train:
  epochs: 3
  batch_size: 8
"""


def make_blobs(folder: Path, n: int = 60) -> Path:
    rng = np.random.default_rng(0)
    y = np.arange(n) % 3
    x = rng.normal(size=(n, 4)).astype("float32") + 3.0 * np.eye(3, 4)[y]
    test_y = np.arange(24) % 3
    test_x = rng.normal(size=(24, 4)).astype("float32") + 3.0 * np.eye(3, 4)[test_y]
    path = folder / "blobs.npz"
    np.savez(path, x_train=x, y_train=y, x_test=test_x, y_test=test_y)
    return path


def invoke(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One real training shared by the tests of this module (TensorFlow is slow to start)."""
    folder = tmp_path_factory.mktemp("blobs")
    make_blobs(folder)
    config = write(folder / "blobs.yaml", BLOBS_CONFIG)
    result = invoke("train", config, "--runs-dir", folder / "runs", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return Path(report["run_dir"]), report


def test_train_writes_a_complete_run_directory(trained) -> None:
    run_dir, report = trained
    for name in (rundir.CONFIG_FILE, rundir.STATUS_FILE, rundir.HISTORY_FILE, rundir.METRICS_FILE,
                 rundir.MODEL_FILE, rundir.WEIGHTS_FILE, rundir.SUMMARY_FILE, rundir.ENV_FILE,
                 rundir.DATA_FILE, rundir.PREPROCESSING_FILE):  # fmt: skip
        assert (run_dir / name).is_file(), name
    assert run_dir.name.startswith("blobs-") and run_dir.parent.name == "runs"
    history = json.loads((run_dir / rundir.HISTORY_FILE).read_text())
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.values())
    metrics = json.loads((run_dir / rundir.METRICS_FILE).read_text())
    assert metrics["split"] == "test" and metrics["accuracy"] == report["metrics"]["accuracy"]
    assert metrics["accuracy"] > 0.8  # the blobs are easy: a model that learned nothing gets 1/3
    status = json.loads((run_dir / rundir.STATUS_FILE).read_text())
    assert status["state"] == "completed" and status["epochs"] == 3
    env = json.loads((run_dir / rundir.ENV_FILE).read_text())
    assert env["device"] == "cpu" and env["seed"] == 1 and env["tensorflow"]
    assert any(path.endswith("blobs.npz") for path in env["data_files"])
    assert sorted(p.name for p in (run_dir / rundir.PLOTS_DIR).glob("*.png")) == [
        "accuracy.png", "confusion_matrix.png", "loss.png"]  # fmt: skip
    assert "Total params: 131" in (run_dir / rundir.SUMMARY_FILE).read_text()


def test_resolved_config_is_saved_and_trains_again(trained, tmp_path: Path) -> None:
    """The saved config stands alone: copied elsewhere (so the relative `blobs.npz` of
    the original would not resolve), it trains, and re-saving it changes nothing else."""
    run_dir, _ = trained
    saved = (run_dir / rundir.CONFIG_FILE).read_text()
    elsewhere = write(tmp_path / "copied.yaml", saved)
    result = invoke("train", elsewhere, "--runs-dir", tmp_path / "runs", "--json",
                    "--set", "train.epochs=1")  # fmt: skip
    assert result.exit_code == 0, result.output
    again = Path(json.loads(result.stdout)["run_dir"]) / rundir.CONFIG_FILE
    assert again.read_text() == saved.replace("epochs: 3", "epochs: 1")


def test_evaluate_reproduces_the_final_metrics(trained) -> None:
    run_dir, report = trained
    result = invoke("evaluate", run_dir, "--json")
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.stdout)
    assert evaluation["data"] == "test" and evaluation["samples"] == 24
    assert evaluation["metrics"]["accuracy"] == pytest.approx(report["metrics"]["accuracy"])
    assert evaluation["metrics"]["loss"] == pytest.approx(report["metrics"]["loss"], rel=1e-5)
    assert (run_dir / rundir.EVALUATION_FILE).is_file()


def test_predict_prints_classes_and_writes_csv(trained, tmp_path: Path) -> None:
    run_dir, _ = trained
    np.save(tmp_path / "points.npy", 3.0 * np.eye(3, 4, dtype="float32"))  # one per class
    out = tmp_path / "pred.csv"
    result = invoke("predict", run_dir, tmp_path / "points.npy", "--top-k", "2", "-o", out)
    assert result.exit_code == 0, result.output
    result = invoke("predict", run_dir, tmp_path / "points.npy", "--json")
    rows = json.loads(result.stdout)["predictions"]
    assert [row["class"] for row in rows] == [0, 1, 2]
    assert all(0.5 < row["probability"] <= 1.0 for row in rows)
    lines = out.read_text().splitlines()
    assert lines[0] == "input,class1,name1,p1,class2,name2,p2" and len(lines) == 4


def test_predict_refuses_input_of_the_wrong_shape(trained, tmp_path: Path) -> None:
    run_dir, _ = trained
    np.save(tmp_path / "wrong.npy", np.zeros((2, 5), dtype="float32"))
    result = invoke("predict", run_dir, tmp_path / "wrong.npy")
    assert result.exit_code == 1
    assert "wrong.npy" in result.output and "(4,)" in result.output.replace("[4]", "(4,)")
    assert "Traceback" not in result.output


def test_inspect_shows_each_layer(trained) -> None:
    run_dir, _ = trained
    result = invoke("inspect", run_dir, "--json")
    assert result.exit_code == 0, result.output
    layers = json.loads(result.stdout)["layers"]
    assert [(w["shape"]) for w in layers[0]["weights"]] == [[4, 16], [16]]
    assert layers[1]["params"] == 16 * 3 + 3


def test_two_trainings_never_share_a_run_directory(tmp_path: Path) -> None:
    first = rundir.RunDir.create(tmp_path, "same")
    second = rundir.RunDir.create(tmp_path, "same")
    assert first.path != second.path and second.path.name.endswith("-2")


def test_validate_reports_a_misspelled_key_and_creates_nothing(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", BLOBS_CONFIG.replace("  epochs: 3", "  epoch: 3"))
    result = invoke("validate", config)
    assert result.exit_code == 2
    assert (
        f"{config}:20:3: train.epoch: unknown key 'epoch'; did you mean 'epochs'?" in result.output
    )
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]


def test_train_with_a_config_error_exits_2_and_makes_no_run(tmp_path: Path) -> None:
    make_blobs(tmp_path)
    config = write(tmp_path / "c.yaml", BLOBS_CONFIG)
    result = invoke("train", config, "--runs-dir", tmp_path / "runs", "--set", "train.epochs=0")
    assert result.exit_code == 2
    assert "--set train.epochs=0: train.epochs: input should be greater than 0" in result.output
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("model.input_shape=[5]", "the data's samples have shape [4] but the model takes [5]"),
        ("model.layers[1].Dense.units=4", "the output layer has 4 units but each label has 3"),
        ("data.labels=sparse", "needs one-hot labels but the labels are class numbers"),
    ],
)
def test_model_that_does_not_fit_the_data_is_refused_before_training(
    tmp_path: Path, override: str, message: str
) -> None:
    make_blobs(tmp_path)
    config = write(tmp_path / "c.yaml", BLOBS_CONFIG)
    result = invoke("train", config, "--runs-dir", tmp_path / "runs", "--set", override)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "runs").exists()


def test_run_dir_that_is_not_a_run(tmp_path: Path) -> None:
    for command in ("evaluate", "inspect"):
        result = invoke(command, tmp_path)
        assert result.exit_code == 1
        assert "not a dlcli run directory" in result.output


def test_predict_reads_png_digits_through_the_configs_scaling(tmp_path: Path) -> None:
    """An image classifier end to end: 28x28 'digits' (a bar at a class-dependent row)."""
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    x = rng.integers(0, 30, size=(60, 28, 28)).astype("uint8")
    for i, label in enumerate(y):
        x[i, 4 + 16 * label : 8 + 16 * label, 4:24] = 255
    np.savez(tmp_path / "bars.npz", x_train=x, y_train=y, x_test=x[:10], y_test=y[:10])
    config = write(tmp_path / "bars.yaml", BLOBS_CONFIG.replace("blobs.npz", "bars.npz")
                   .replace("input_shape: [4]", "input_shape: [784]")
                   .replace("labels: onehot", "labels: onehot\n  reshape: [784]\n  scale: 255")
                   .replace("units: 3, activation", "units: 2, activation"))  # fmt: skip
    result = invoke("train", config, "--runs-dir", tmp_path / "runs", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    run_dir = json.loads(result.stdout)["run_dir"]
    for label in (0, 1):
        Image.fromarray(x[label]).save(tmp_path / f"digit{label}.png")
    result = invoke("predict", run_dir, tmp_path / "digit0.png", tmp_path / "digit1.png", "--json")
    assert result.exit_code == 0, result.output
    assert [row["class"] for row in json.loads(result.stdout)["predictions"]] == [0, 1]


def test_evaluate_on_another_file_preprocesses_it_like_the_training_data(trained, tmp_path) -> None:
    run_dir, report = trained
    make_blobs(tmp_path)  # the same test split, in a file of its own
    with np.load(tmp_path / "blobs.npz") as arrays:
        np.savez(tmp_path / "other.npz", x=arrays["x_test"], y=arrays["y_test"])
    result = invoke("evaluate", run_dir, "--data", tmp_path / "other.npz", "--json")
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.stdout)
    assert evaluation["samples"] == 24 and evaluation["data"].endswith("other.npz")
    assert evaluation["metrics"]["accuracy"] == pytest.approx(report["metrics"]["accuracy"])


def test_validate_data_counts_an_image_folder_s_training_images() -> None:
    """configs/shapes_cnn.yaml: 180 images, a quarter held out for validation. A streamed
    dataset keeps one probe sample in x_train; the count is the stream's, not the probe's."""
    config = Path(__file__).resolve().parents[2] / "configs" / "shapes_cnn.yaml"
    result = CliRunner().invoke(app, ["validate", str(config), "--data"])
    assert result.exit_code == 0, result.output
    assert "data: 135 training samples of shape [32, 32, 1]; the model fits it" in result.output
