"""Run files read back are validated: checkpoint/state.json, status.json, history.json."""

from __future__ import annotations

import pytest

from dlcli.errors import RunDirError
from dlcli.runs import records

GOOD = {"epoch": 2, "weights": "epoch-0002.weights.h5", "history": {"loss": [1.0, 0.5]}}


def test_a_good_checkpoint_state_passes() -> None:
    state = records.checkpoint_state(GOOD, "state.json", epochs=3)
    assert (state.epoch, state.weights, state.history) == (2, GOOD["weights"], GOOD["history"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epoch": -5}, "epoch: Input should be greater than or equal to 0"),
        ({"epoch": True}, "epoch: Input should be a valid integer"),
        ({"weights": "../../../../etc/passwd"}, "weights: String should match pattern"),
        ({"weights": "/etc/passwd"}, "weights: String should match pattern"),
        ({"weights": "sub/epoch-0002.weights.h5"}, "weights: String should match pattern"),
        ({"history": {"loss": [1.0] * 8}}, "has 8 entries for 2 finished epochs"),
        ({"history": {"loss": ["x", 1.0]}}, "history.loss.0"),
        ({"extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_a_tampered_checkpoint_state_is_refused(change: dict, message: str) -> None:
    with pytest.raises(RunDirError, match="not a valid checkpoint") as caught:
        records.checkpoint_state({**GOOD, **change}, "state.json")
    assert message in str(caught.value)


def test_a_checkpoint_past_the_runs_epochs_is_refused() -> None:
    with pytest.raises(RunDirError, match="epoch 2 is past the run's 1 epochs"):
        records.checkpoint_state(GOOD, "state.json", epochs=1)


def test_status_and_history_shapes() -> None:
    assert records.status({"state": "running", "pid": 3, "x": 1}, "s")["x"] == 1
    with pytest.raises(RunDirError, match="damaged"):
        records.status({"state": "finished"}, "status.json")
    with pytest.raises(RunDirError, match="damaged"):
        records.history({"loss": "1.0"}, "history.json")


def test_the_epochs_of_a_gan_history_are_counted() -> None:
    assert records.epochs_recorded({"d_loss": [0.5, 0.6], "g_loss": [2.0, 1.9]}) == 2
    assert records.epochs_recorded({"loss": [1.0], "val_loss": [1.1]}) == 1
    assert records.epochs_recorded({}) == 0 and records.epochs_recorded([1]) is None
