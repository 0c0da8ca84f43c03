"""Training curves as PNG files, drawn the way people draw them by hand.

`plot_history` turns a Keras `History.history` dict into one figure per metric
(training and validation on the same axes) so a run directory can be judged at a
glance. `plot_overlay` puts several runs' curves of one metric on one figure for
comparisons. Neither touches pyplot: figures are plain `Figure` objects rendered
by the Agg canvas, so no global state or open windows leak out of a call, and
every file is written atomically (a killed process never leaves half a PNG).
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from dlcli.errors import DataError
from dlcli.runs.rundir import write_atomically

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FIGSIZE = (6.4, 4.8)  # inches; at DPI this gives the familiar 640x480 image
DPI = 100
MARKER_MAX_EPOCHS = 30  # draw markers up to this many epochs; beyond, they clutter
LR_KEYS = ("learning_rate", "lr")  # Keras 3 / Keras 2 names of the logged learning rate

# matplotlib's tab10, fixed here so colours do not depend on the user's rcParams.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
TRAIN_COLOR, VAL_COLOR = PALETTE[0], PALETTE[1]


def color_for(label: str, labels: list[str]) -> str:
    """Colour of `label` among `labels`, independent of their order or repeats.

    Colours are assigned by sorted position, so every figure of one comparison
    (same runs, any metric, any plotting order) shows a run in the same colour.
    """
    ordered = sorted(set(labels) | {label})
    return PALETTE[ordered.index(label) % len(PALETTE)]


def plot_history(
    history: dict[str, list[float]], out_dir: Path, title_prefix: str = ""
) -> list[Path]:
    """Write one `<metric>.png` per metric of a Keras history; return the paths written.

    `x` and `val_x` share a figure. The learning rate is plotted (alone, log
    scale) only when a schedule changed it: a flat line says nothing.
    """
    written: list[Path] = []
    for metric in _metrics(history):
        if metric in LR_KEYS:
            values = _clean(history[metric])
            if len({v for v in values if not math.isnan(v)}) <= 1:
                continue
        fig, ax = new_figure()
        _draw_history(ax, history, metric)
        ax.set_title(_title(metric, title_prefix))
        written.append(_save(fig, Path(out_dir) / f"{_safe_name(metric)}.png"))
    return written


def plot_overlay(
    series: dict[str, dict[str, list[float]]], metric: str, path: Path, title: str
) -> Path:
    """Draw `metric` of several runs (label -> history) on one figure at `path`.

    Each run keeps one colour; training is dashed and validation solid, so the
    curves that matter for comparison (validation) stand out.
    """
    labels = list(series)
    fig, ax = new_figure()
    drawn = 0
    for label, history in series.items():
        color = color_for(label, labels)
        for key, style, suffix in ((metric, "--", "train"), (f"val_{metric}", "-", "validation")):
            if history.get(key):
                _line(ax, history[key], color=color, linestyle=style, label=f"{label} ({suffix})")
                drawn += 1
    if not drawn:
        recorded = sorted({k for h in series.values() for k in h})
        raise DataError(
            f"no run recorded the metric {metric!r}; pick one of: {', '.join(recorded) or 'none'}"
        )
    _decorate(ax, metric)
    ax.set_title(title)
    return _save(fig, Path(path))


def _metrics(history: dict[str, list[float]]) -> list[str]:
    """Base metric names in history order; a `val_x` without `x` is its own metric."""
    names: list[str] = []
    for key, values in history.items():
        if not values:
            continue
        base = key[4:] if key.startswith("val_") and history.get(key[4:]) else key
        if base not in names:
            names.append(base)
    return names


def _draw_history(ax: Axes, history: dict[str, list[float]], metric: str) -> None:
    """Plot `metric` and its validation counterpart on `ax`, with axis labels."""
    if metric in LR_KEYS:
        _line(ax, history[metric], color=TRAIN_COLOR, linestyle="-", label=None)
        if all(v > 0 for v in _clean(history[metric]) if not math.isnan(v)):
            ax.set_yscale("log")
        _decorate(ax, metric, legend=False)
        return
    if metric.startswith("val_"):  # validation only: no training counterpart was logged
        _line(ax, history[metric], color=VAL_COLOR, linestyle="--", label="validation")
    else:
        _line(ax, history[metric], color=TRAIN_COLOR, linestyle="-", label="train")
        if history.get(f"val_{metric}"):
            _line(ax, history[f"val_{metric}"], color=VAL_COLOR, linestyle="--", label="validation")
    _decorate(ax, metric)


def _line(ax: Axes, values: list[float], *, color: str, linestyle: str, label: str | None) -> None:
    """One curve over 1-based epochs; markers while epochs are few enough to count."""
    ys = _clean(values)
    xs = range(1, len(ys) + 1)
    marker = "o" if len(ys) <= MARKER_MAX_EPOCHS else None
    ax.plot(xs, ys, color=color, linestyle=linestyle, marker=marker, markersize=4, label=label)


def _decorate(ax: Axes, metric: str, legend: bool = True) -> None:
    """Axis labels, integer epoch ticks, grid and legend shared by all figures."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("Epoch")
    ax.set_ylabel(metric)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    # start at 0.5 (there is no epoch 0); a single epoch still gets a visible axis
    ax.set_xlim(0.5, max(ax.get_xlim()[1], 1.5))
    ax.grid(True, alpha=0.3)
    if legend:
        ax.legend()


def _title(metric: str, prefix: str) -> str:
    """ "Model loss", or "<run>: Model loss" when a run name is given."""
    title = f"Model {metric.replace('_', ' ')}"
    return f"{prefix}: {title}" if prefix else title


def _clean(values: list[float]) -> list[float]:
    """Floats with inf turned into NaN (a gap) so one blow-up does not wreck the y scale."""
    return [float(v) if math.isfinite(float(v)) else math.nan for v in values]


def _safe_name(metric: str) -> str:
    """A file name for a metric: Keras names are safe already, custom ones may not be."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", metric) or "metric"


def new_figure(size: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """A Figure on an Agg canvas: no pyplot, so nothing global to close or leak."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, laid out; written by the caller through one atomic writer."""
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return buffer.getvalue()


def _save(fig: Figure, path: Path) -> Path:
    return write_atomically(path, png_bytes(fig))
