"""Callbacks that must carry over a resume: the best epoch kept, the diagnostics so far."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dlcli.runs.rundir import BEST_WEIGHTS_FILE, DIAGNOSTICS_FILE, RunDir
from dlcli.training.callbacks import KeepBest, StopOnNaN, format_logs
from dlcli.training.diagnostics import GradientNorms


class FakeModel:
    """Just enough of a Keras model for callbacks that save weights."""

    def __init__(self) -> None:
        self.saved = 0

    def save_weights(self, path: str) -> None:
        self.saved += 1
        Path(path).write_text(f"weights #{self.saved}")


def test_keep_best_after_a_resume_only_overwrites_a_better_epoch(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r")
    callback = KeepBest(run, "val_loss", {"val_loss": [0.5, 0.3]})  # best so far: 0.3
    callback.set_model(FakeModel())
    callback.on_epoch_end(2, {"val_loss": 0.4})
    assert not run.file(BEST_WEIGHTS_FILE).exists()  # worse than epoch 2 before the resume
    callback.on_epoch_end(3, {"val_loss": 0.2})
    assert run.file(BEST_WEIGHTS_FILE).read_text() == "weights #1"
    callback.on_epoch_end(4, {"val_loss": float("nan")})
    assert run.file(BEST_WEIGHTS_FILE).read_text() == "weights #1"
    assert [p.name for p in run.path.iterdir()] == [BEST_WEIGHTS_FILE]  # no partial files


def test_keep_best_of_an_accuracy_keeps_the_highest(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r")
    callback = KeepBest(run, "val_accuracy", {})
    callback.set_model(FakeModel())
    for epoch, value in enumerate([0.5, 0.7, 0.6]):
        callback.on_epoch_end(epoch, {"val_accuracy": value})
    assert run.file(BEST_WEIGHTS_FILE).read_text() == "weights #2" and callback.best == 0.7


def test_gradient_norms_continue_the_record_of_a_resumed_run(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r")
    record = {"batch_samples": 4, "epochs": [0, 1, 2, 3], "layers": {"dense": [1, 2, 3, 9]}}
    run.write_json(DIAGNOSTICS_FILE, {"gradient_norms": record})
    x = np.zeros((4, 2), dtype="float32")
    resumed = GradientNorms(run, x, x, start_epoch=2)  # epoch 3 was measured, not checkpointed
    assert resumed.record["epochs"] == [0, 1, 2]
    assert resumed.record["layers"] == {"dense": [1, 2, 3]}
    resumed.on_train_begin()  # no "epoch 0" measurement of the resumed weights
    assert json.loads(run.file(DIAGNOSTICS_FILE).read_text())["gradient_norms"] == record


def test_epoch_lines_show_the_loss_first_and_validation_last() -> None:
    logs = {"accuracy": 0.9, "val_accuracy": 0.8, "val_loss": 0.2, "loss": 0.1}
    assert format_logs(logs) == "loss 0.1000  accuracy 0.9000  val_loss 0.2000  val_accuracy 0.8000"


class FakeNet:
    stop_training = False


def nan_seen_at(steps_per_call: int, steps: int, bad_batch: int, key: str = "loss") -> str | None:
    """Drive StopOnNaN as Keras does: one call per `steps_per_call` batches, reporting the
    last batch index of the call and the running mean loss (NaN from the bad batch on)."""
    callback = StopOnNaN()
    callback.set_model(FakeNet())
    callback.set_params({"steps": steps, "epochs": 1})
    callback.on_epoch_begin(0)
    for end in range(steps_per_call, steps + steps_per_call, steps_per_call):
        last = min(end, steps) if steps_per_call == 1 else end  # Keras may overshoot
        loss = float("nan") if last >= bad_batch else 0.5
        callback.on_train_batch_end(last - 1, {key: loss, "val_loss": float("nan")})
        if callback.model.stop_training:
            break
    return callback.where


def test_nan_is_located_to_the_batch_or_to_the_batches_of_one_call() -> None:
    assert nan_seen_at(1, 10, bad_batch=3) == "epoch 1, batch 3"
    assert nan_seen_at(4, 10, bad_batch=6) == "epoch 1, batches 5-8"
    assert nan_seen_at(32, 4, bad_batch=2) == "epoch 1, batches 1-4"  # never past the epoch
    assert nan_seen_at(4, 10, bad_batch=99) is None


def test_a_gan_whose_discriminator_loss_is_nan_is_stopped() -> None:
    assert nan_seen_at(1, 10, bad_batch=2, key="d_loss") == "epoch 1, batch 2"
    assert nan_seen_at(1, 10, bad_batch=2, key="g_loss") == "epoch 1, batch 2"
