"""--resume of a GAN (two networks, two optimizers, its own train step) and of an image
folder (a streamed tf.data source): interrupted after epoch 1 of 2, resumed, compared
with the same config trained straight through.

The interruption is a KeyboardInterrupt (what the first Ctrl-C or SIGTERM raises) right
after epoch 1's checkpoint is written, in this process: a subprocess costs ~10 s here."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml
from PIL import Image

from dlcli.config.loader import load_config
from dlcli.errors import Interrupted
from dlcli.runs.records import history as read_history
from dlcli.training import checkpoint
from dlcli.training.request import Output, TrainRequest
from dlcli.training.resume import resume_training
from dlcli.training.runner import train


def _config(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _interrupted_after_epoch_1(config: Path, runs: Path) -> Path:
    real = checkpoint.save_checkpoint

    def save_then_stop(run, model, epoch: int, history: dict) -> None:
        real(run, model, epoch, history)
        if epoch == 1:
            raise KeyboardInterrupt  # as a Ctrl-C just after epoch 1 was kept

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkpoint, "save_checkpoint", save_then_stop)
        with pytest.raises(Interrupted, match="interrupted after 1 finished epoch;"):
            train(load_config(config), TrainRequest(runs_dir=runs, output=Output("none")))
    [run] = list(runs.iterdir())
    return run


def _history(run: Path) -> dict[str, list[float]]:
    import json

    return dict(read_history(json.loads((run / "history.json").read_text()), str(run)))


def _arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of a weights file: both networks' weights and the optimizers' state."""
    found: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda name, item: (
                found.update({name: np.array(item)}) if isinstance(item, h5py.Dataset) else None
            )
        )
    return found


def _resumed_and_straight(tmp_path: Path, config: Path, keys: set[str]) -> tuple[Path, Path]:
    """The run interrupted after epoch 1 of 2 and resumed (checking what a user sees on
    the way), and the same config trained straight through."""
    run = _interrupted_after_epoch_1(config, tmp_path / "runs")
    status = (run / "status.json").read_text()
    assert '"interrupted"' in status and '"epochs": 1' in status
    first = _history(run)
    assert set(first) == keys and all(len(values) == 1 for values in first.values())

    resume_training(run, None, [], TrainRequest(output=Output("none")))
    resumed = _history(run)
    assert set(resumed) == keys and all(len(values) == 2 for values in resumed.values())
    assert all(resumed[key][0] == first[key][0] for key in keys)  # epoch 1 kept, not redone
    assert '"completed"' in (run / "status.json").read_text()
    straight = train(load_config(config), TrainRequest(runs_dir=tmp_path / "straight",
                                                   output=Output("none"))).path
    return run, straight


def _assert_same_result(run: Path, straight: Path) -> None:
    """Same seed, same batches, optimizer state restored: the same arithmetic, so equal up
    to float32 rounding (a lost optimizer or noise state differs by far more)."""
    resumed, expected = _history(run), _history(straight)
    for key, values in resumed.items():
        np.testing.assert_allclose(values, expected[key], rtol=1e-5, atol=1e-6, err_msg=key)
    mine, theirs = _arrays(run / "model.weights.h5"), _arrays(straight / "model.weights.h5")
    assert mine.keys() == theirs.keys()
    for name, values in mine.items():
        np.testing.assert_allclose(values, theirs[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_a_gan_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "blobs.npz", x=rng.random((48, 4, 4)).astype("float32"),
             y=np.zeros(48))  # fmt: skip
    config = _config(tmp_path, {
        "seed": 5,
        "data": {"dataset": "npz", "path": "blobs.npz", "reshape": [4, 4, 1],
                 "validation": "none", "shuffle": False},
        "model": {"kind": "gan", "input_shape": [4, 4, 1], "latent_dim": 3,
                  "generator": [{"Dense": {"units": 16, "activation": "sigmoid"}},
                                {"Reshape": {"target_shape": [4, 4, 1]}}],
                  "discriminator": ["Flatten", {"Dense": {"units": 1}}]},
        "compile": {"loss": "binary_crossentropy", "optimizer": "adam"},
        "train": {"epochs": 2, "batch_size": 16, "shuffle": False},
    })  # fmt: skip
    run, straight = _resumed_and_straight(tmp_path, config, {"d_loss", "g_loss"})
    # Both optimizers' state and the noise generator's are in the checkpoint (they
    # were not: the resumed epoch 2 differed by ~5 % in d_loss).
    saved = set(_arrays(run / "model.weights.h5"))
    assert {"d_optimizer/vars/2", "g_optimizer/vars/2", "vars/noise_seed"} <= saved
    _assert_same_result(run, straight)


@pytest.fixture(scope="module")
def image_folder_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("image_resume")
    rng = np.random.default_rng(0)
    for k, name in enumerate(("cat", "dog")):
        (tmp_path / "images" / name).mkdir(parents=True)
        for i in range(8):
            pixels = rng.integers(0, 128, (8, 8)) + 100 * k
            Image.fromarray(pixels.astype(np.uint8)).save(tmp_path / "images" / name / f"{i}.png")
    config = _config(tmp_path, {
        "seed": 5,
        "data": {"dataset": "image_folder", "path": "images", "labels": "sparse",
                 "validation_split": 0.25, "shuffle": False,
                 "image_folder": {"image_size": [6, 6], "resize": True, "color_mode": "grayscale"}},
        "model": {"input_shape": [6, 6, 1],
                  "layers": ["Flatten", {"Dense": {"units": 2, "activation": "softmax"}}]},
        "compile": {"loss": "sparse_categorical_crossentropy", "optimizer": "adam",
                    "metrics": ["accuracy"]},
        "train": {"epochs": 2, "batch_size": 4, "shuffle": False},
    })  # fmt: skip
    return _resumed_and_straight(tmp_path, config, {"loss", "accuracy", "val_loss",
                                                    "val_accuracy"})  # fmt: skip


def test_an_image_folder_run_resumes_with_one_continuous_history(image_folder_runs) -> None:
    run, straight = image_folder_runs  # the checks on the way are in the fixture
    assert _history(run)["val_loss"] and (run / "model.keras").is_file()


def test_an_image_folder_run_resumes_to_the_uninterrupted_result(image_folder_runs) -> None:
    _assert_same_result(*image_folder_runs)
