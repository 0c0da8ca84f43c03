"""Run directories written the way the runner writes them, without training (fast)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from dlcli.comparison.plan import Plan, plan_members, save_plan, vary_axis
from dlcli.runs import rundir as files
from dlcli.runs.plots import new_figure, png_bytes
from dlcli.runs.rundir import RunDir

SUMMARY = "Model: sequential\n Total params: 407,050 (1.55 MB)\n Trainable params: 407,050\n"


def fake_run(
    runs_dir: Path, name: str, stamp: str = "20260101-120000", state: str = "completed",
    val_accuracy: tuple[float, ...] = (0.9, 0.95, 0.94), test_accuracy: float = 0.95,
    config: dict | None = None, plots: bool = False,
) -> Path:  # fmt: skip
    path = runs_dir / f"{name}-{stamp}"
    path.mkdir(parents=True)
    started = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:00+0000"
    ended = started.replace(":00+0000", ":42+0000")
    epochs = len(val_accuracy)
    base = {"name": name, "seed": 42, "data": {"dataset": "mnist"},
            "train": {"epochs": epochs, "batch_size": 128},
            "compile": {"loss": "categorical_crossentropy", "optimizer": {"name": "rmsprop"}}}
    (path / files.CONFIG_FILE).write_text(yaml.safe_dump(config or base))
    _json(path / files.STATUS_FILE, {"state": state, "pid": 1, "started": started,
                                     "updated": ended, "epochs": epochs})  # fmt: skip
    _json(path / files.HISTORY_FILE, {"loss": [0.5] * epochs, "accuracy": [0.9] * epochs,
                                      "val_loss": [0.3] * epochs,
                                      "val_accuracy": list(val_accuracy)})  # fmt: skip
    if state == "completed":
        _json(path / files.METRICS_FILE,
              {"split": "test", "loss": 0.2, "accuracy": test_accuracy})  # fmt: skip
    _json(path / files.DATA_FILE, {"source": "mnist", "train_samples": 54000})
    _json(path / files.ENV_FILE, {"tensorflow": "2.21.0", "keras": "3.15.1", "device": "cpu",
                                  "seed": 42, "python": "3.11.7"})  # fmt: skip
    (path / files.SUMMARY_FILE).write_text(SUMMARY)
    if plots:
        figure, axes = new_figure()
        axes.plot([1, 2, 3], list(val_accuracy))
        (path / files.PLOTS_DIR).mkdir()
        (path / files.PLOTS_DIR / "accuracy.png").write_bytes(png_bytes(figure))
    return path


def _json(path: Path, data) -> None:
    path.write_text(json.dumps(data))




def completed_comparison(folder, finals: dict[str, list[float]]) -> RunDir:
    """A comparison whose members completed with the given final val_loss per seed."""
    axis = vary_axis("compile.optimizer=" + ",".join(finals))
    groups, members = plan_members([axis], [1, 2, 3])
    compare = RunDir.create(folder, "tiny-compare")
    for member in members:
        value = finals[member.group.split("=")[1]][member.seed - 1]
        run = RunDir.create(compare.path, member.name)
        run.write_json("history.json", {"loss": [1.0, value], "val_loss": [1.0, value]})
        run.write_json("metrics.json", {"loss": value, "split": "test"})
        member.state, member.run_dir, member.seconds, member.epochs = (
            "completed", run.path.name, 2.0, 2,
        )  # fmt: skip
    save_plan(compare, Plan("c.yaml", [], [axis.key], groups, [1, 2, 3], None, "dlcli", members))
    return compare
