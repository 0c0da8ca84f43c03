"""The runner tells its observers about a run, and writes TensorBoard logs by default
(read back here with TensorBoard's own reader)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlcli import api
from dlcli.runs import rundir as files
from tests.helpers.configs import tiny_config
from tests.helpers.tensorboard import check_tensorboard_logs


class Recorder:
    """An observer that keeps every call, as a tracker would see them."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def on_start(self, run_dir, loaded, env):
        self.calls.append(("start", run_dir, loaded.config.name, env["seed"]))

    def on_epoch(self, epoch, logs):
        self.calls.append(("epoch", epoch, sorted(logs)))

    def on_end(self, status, metrics, run_dir):
        self.calls.append(("end", status, metrics, run_dir))


class Broken(Recorder):
    def on_epoch(self, epoch, logs):
        raise RuntimeError("tracker bug")


def test_observers_hear_start_each_epoch_and_the_end(tmp_path: Path, capsys) -> None:
    from dlcli.training.request import TrainRequest
    from dlcli.training.runner import train

    recorder, broken = Recorder(), Broken()
    loaded = api.load_config(tiny_config(tmp_path))
    result = train(loaded, TrainRequest(runs_dir=tmp_path / "runs", trackers=(broken, recorder)))
    calls = recorder.calls
    assert calls[0] == ("start", result.path, "tiny", 3)
    epochs = [c for c in calls if c[0] == "epoch"]
    assert [c[1] for c in epochs] == [1, 2, 3]  # counted from 1, like the progress lines
    assert epochs[0][2] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    kind, status, metrics, run_dir = calls[-1]
    assert (kind, status, run_dir) == ("end", "completed", result.path)
    assert metrics == {f"test_{k}": v for k, v in result.metrics.items()}
    # An observer's bug is reported, and the run still completes.
    assert "Broken.on_epoch failed: tracker bug" in capsys.readouterr().err
    assert json.loads((run_dir / files.STATUS_FILE).read_text())["state"] == "completed"
    check_tensorboard_logs(run_dir, result.history)




def test_an_observer_hears_an_interrupted_run(tmp_path: Path) -> None:
    from dlcli.errors import Interrupted
    from dlcli.training.request import TrainRequest
    from dlcli.training.runner import train

    class CtrlC(Recorder):
        def on_epoch(self, epoch, logs):
            super().on_epoch(epoch, logs)
            if epoch == 2:
                raise KeyboardInterrupt  # as if the user pressed Ctrl-C during epoch 2

    recorder = CtrlC()
    loaded = api.load_config(tiny_config(tmp_path))
    with pytest.raises(Interrupted):
        train(loaded, TrainRequest(runs_dir=tmp_path / "runs", trackers=(recorder,)))
    kind, status, metrics, _ = recorder.calls[-1]
    # on_end comes after the run directory recorded the interruption, with no final metrics
    assert (kind, status, metrics) == ("end", "interrupted", {})


def test_tensorboard_false_adds_no_callback(tmp_path: Path) -> None:
    from dlcli.runs.rundir import RunDir
    from dlcli.training.tensorboard_logs import tensorboard_callbacks

    loaded = api.load_config(tiny_config(tmp_path), ["train.tensorboard=false"])
    assert tensorboard_callbacks(loaded.config.train, RunDir(tmp_path)) == []
    assert api.load_config(tiny_config(tmp_path)).config.train.tensorboard is True  # default




