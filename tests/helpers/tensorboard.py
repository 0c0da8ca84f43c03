"""Reading TensorBoard event files back to check what a run logged."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcli.runs import rundir as files


def check_tensorboard_logs(run_dir: Path, history: dict) -> None:
    """What `tensorboard --logdir runs/` shows: per-epoch loss and accuracy, train and
    validation, read back from the event files with TensorBoard's own reader."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    logs = run_dir / files.TENSORBOARD_DIR
    assert sorted(p.name for p in logs.iterdir()) == ["train", "validation"]
    for split, prefix in (("train", ""), ("validation", "val_")):
        events = EventAccumulator(str(logs / split)).Reload()
        tags = events.Tags()["scalars"] + events.Tags()["tensors"]
        assert {"epoch_loss", "epoch_accuracy"} <= set(tags)
        loss = _events(events, "epoch_loss")
        assert [e.step for e in loss] == [0, 1, 2]
        values = [_value(e) for e in loss]
        assert values == pytest.approx(history[f"{prefix}loss"], rel=1e-5)




def _events(accumulator, tag: str) -> list:
    if tag in accumulator.Tags()["scalars"]:
        return accumulator.Scalars(tag)
    return accumulator.Tensors(tag)


def _value(event) -> float:
    if hasattr(event, "value"):
        return float(event.value)
    from tensorboard.util import tensor_util

    return float(tensor_util.make_ndarray(event.tensor_proto))
