"""A confusion-matrix plot with class names, for every classifier run.

Rows are the true classes, columns the predicted ones; each cell shows its count and
is shaded by the share of its row, so a class that is often mistaken for another
stands out whatever the class sizes. numpy + matplotlib (Agg) only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlcli.runs.plots import new_figure, png_bytes
from dlcli.runs.rundir import write_atomically

CONFUSION_PLOT = "confusion_matrix.png"  # in plots/
MAX_CLASSES = 30  # beyond this the cells are too small to read: the plot is skipped


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> np.ndarray:
    """counts[i, j]: samples of true class i predicted as class j."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    inside = (y_true < classes) & (y_pred < classes) & (y_true >= 0) & (y_pred >= 0)
    np.add.at(counts, (y_true[inside], y_pred[inside]), 1)
    return counts


def plot_confusion(
    counts: np.ndarray, class_names: list[str], out_dir: Path, title: str = ""
) -> Path | None:
    """Write plots/confusion_matrix.png; None when there are too many classes to draw."""
    n = len(class_names)
    if n > MAX_CLASSES:
        return None
    side = max(4.8, 0.45 * n + 2.5)
    fig, ax = new_figure((side, side))
    rows = counts.sum(axis=1, keepdims=True)
    share = counts / np.maximum(rows, 1)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            color = "white" if share[i, j] > 0.5 else "black"
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8, color=color)
    many = n > 5  # long rows of names: slant them
    ax.set_xticks(
        range(n), class_names, rotation=45 if many else 0, ha="right" if many else "center"
    )
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"{title}confusion matrix (accuracy {accuracy:.3f})")
    fig.tight_layout()
    path = out_dir / CONFUSION_PLOT
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(path, png_bytes(fig))
    return path
