"""Training-curve plots: one readable PNG per metric, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from dlcli.errors import DataError
from dlcli.runs.plots import PALETTE, color_for, plot_history, plot_overlay

HISTORY = {
    "loss": [0.9, 0.5, 0.3],
    "accuracy": [0.70, 0.85, 0.91],
    "val_loss": [0.8, 0.6, 0.45],
    "val_accuracy": [0.75, 0.82, 0.88],
    "learning_rate": [0.001, 0.001, 0.001],
}


def _assert_png(path: Path) -> None:
    with Image.open(path) as img:
        assert img.format == "PNG"
        w, h = img.size
    assert 600 <= w <= 680 and 440 <= h <= 520, img.size


def test_one_png_per_metric_with_validation_on_same_figure(tmp_path: Path) -> None:
    paths = plot_history(HISTORY, tmp_path)
    assert sorted(p.name for p in paths) == ["accuracy.png", "loss.png"]
    for p in paths:
        assert p.parent == tmp_path
        _assert_png(p)
    # no val_*.png, no learning_rate.png (constant), no temp files left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accuracy.png", "loss.png"]


def test_learning_rate_plotted_when_a_schedule_changed_it(tmp_path: Path) -> None:
    history = {"loss": [1.0, 0.5, 0.4], "learning_rate": [1e-3, 1e-4, 1e-5]}
    paths = plot_history(history, tmp_path)
    assert sorted(p.name for p in paths) == ["learning_rate.png", "loss.png"]
    _assert_png(tmp_path / "learning_rate.png")


def test_one_epoch_history_gives_a_plot(tmp_path: Path) -> None:
    paths = plot_history({"loss": [0.7], "val_loss": [0.8]}, tmp_path / "plots", "run1")
    assert [p.name for p in paths] == ["loss.png"]
    _assert_png(paths[0])


def test_empty_history_writes_nothing(tmp_path: Path) -> None:
    assert plot_history({}, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_nan_loss_and_validation_only_metric_still_plot(tmp_path: Path) -> None:
    history = {"loss": [0.5, float("nan"), float("inf")], "val_auc": [0.6, 0.7, 0.8]}
    paths = plot_history(history, tmp_path)
    assert sorted(p.name for p in paths) == ["loss.png", "val_auc.png"]


def test_rewriting_replaces_the_old_plot(tmp_path: Path) -> None:
    plot_history({"loss": [1.0, 0.9]}, tmp_path)
    before = (tmp_path / "loss.png").read_bytes()
    plot_history({"loss": [1.0, 0.9, 0.1, 0.05]}, tmp_path)
    assert (tmp_path / "loss.png").read_bytes() != before
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_overlay_writes_one_figure(tmp_path: Path) -> None:
    series = {"small": HISTORY, "big": {"loss": [0.7, 0.4], "val_loss": [0.75, 0.5]}}
    out = plot_overlay(series, "loss", tmp_path / "cmp" / "loss.png", "Loss by run")
    assert out == tmp_path / "cmp" / "loss.png"
    _assert_png(out)


def test_overlay_of_a_metric_no_run_has_says_which_exist(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="f1.*loss"):
        plot_overlay({"a": {"loss": [1.0]}}, "f1", tmp_path / "f1.png", "F1")


def test_color_for_is_stable_per_label() -> None:
    labels = ["run-b", "run-a", "run-c"]
    colors = {lab: color_for(lab, labels) for lab in labels}
    assert len(set(colors.values())) == 3
    assert all(c in PALETTE for c in colors.values())
    # same label, same colour whatever the order the runs are listed in
    for lab in labels:
        assert color_for(lab, list(reversed(labels))) == colors[lab]
        assert color_for(lab, labels + labels) == colors[lab]
