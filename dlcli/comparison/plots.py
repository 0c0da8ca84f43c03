"""A comparison's figures: every group's mean curve with its 95 % interval as a band, and
a bar chart of the final ranked metric with 95 % intervals as error bars.

One figure per metric with all groups overlaid (validation solid, training dashed),
each group in one colour on every figure (dlcli.runs.plots.color_for). The intervals are
dlcli.comparison.stats's (t-based, over seeds), the same numbers comparison.json holds; with
one seed there is no interval, so no band or bar is drawn. PNGs go through
RunDir.write_bytes (atomic).
"""

from __future__ import annotations

from typing import Any

from dlcli.comparison.stats import curve_intervals
from dlcli.runs import rundir as files
from dlcli.runs.plots import LR_KEYS, color_for, new_figure, png_bytes
from dlcli.runs.rundir import RunDir

BAND_ALPHA = 0.18  # light enough that overlapping bands stay readable
BAND_LABEL = "95% CI of the mean (t, over seeds)"


def plot_comparison(compare: RunDir, groups: dict[str, dict], ranked: str | None) -> list[str]:
    """Write plots/<metric>.png per metric and plots/final_<ranked>.png; return the paths."""
    labels = list(groups)
    written = []
    for metric in _base_metrics(groups):
        png = _overlay(groups, metric, labels)
        written.append(_write(compare, f"{metric}.png", png))
    if ranked is not None:
        written.append(_write(compare, f"final_{ranked}.png", _bars(groups, ranked, labels)))
    return written


def _base_metrics(groups: dict[str, dict]) -> list[str]:
    keys = dict.fromkeys(k for g in groups.values() for h in g["histories"].values() for k in h)
    bases = dict.fromkeys(k[4:] if k.startswith("val_") and k[4:] in keys else k for k in keys)
    return [k for k in bases if k not in LR_KEYS]


def _overlay(groups: dict[str, dict], metric: str, labels: list[str]) -> bytes:
    """One legend entry per group (its colour) plus a key to the line styles."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig, ax = new_figure((7.2, 5.0))
    styles_used = set()
    for label, group in groups.items():
        color = color_for(label, labels)
        seeds = len(group["histories"])
        named = False
        for key, style in ((f"val_{metric}", "-"), (metric, "--")):
            curves = [h[key] for h in group["histories"].values() if h.get(key)]
            if not curves:
                continue
            styles_used.add(style)
            epochs, mean, half = curve_intervals(curves)
            legend = None if named else f"{label} ({seeds} seed{'s' if seeds != 1 else ''})"
            ax.plot(epochs, mean, style, color=color, marker="o", markersize=3, label=legend)
            ax.fill_between(epochs, mean - half, mean + half, color=color, alpha=BAND_ALPHA, lw=0)
            named = True
    handles, names = ax.get_legend_handles_labels()
    for style, split in (("-", "validation"), ("--", "training")):
        if style in styles_used:
            handles.append(Line2D([], [], color="black", linestyle=style))
            names.append(split)
    if any(len(group["histories"]) > 1 for group in groups.values()):
        handles.append(Patch(color="gray", alpha=BAND_ALPHA * 2))
        names.append(BAND_LABEL)
    ax.set_xlabel("Epoch")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric}: mean over seeds, band = 95% CI of the mean (t)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
    ax.legend(handles, names, fontsize="small", ncol=2)
    return png_bytes(fig)


def _bars(groups: dict[str, dict], metric: str, labels: list[str]) -> bytes:
    fig, ax = new_figure((7.2, 5.0))
    shown = [(label, g["final"][metric]) for label, g in groups.items() if metric in g["final"]]
    shown = [(label, s) for label, s in shown if s["mean"] is not None]
    positions = range(len(shown))
    ax.bar(
        positions,
        [s["mean"] for _, s in shown],
        yerr=[_half_width(s) for _, s in shown],
        color=[color_for(label, labels) for label, _ in shown],
        capsize=6,
    )
    for x, (_, stats) in zip(positions, shown, strict=True):
        top = stats["mean"] + _half_width(stats)  # above the error bar, not across it
        ax.annotate(f"{stats['mean']:.4f}", (x, top), ha="center", va="bottom",
                    xytext=(0, 3), textcoords="offset points", fontsize="small")  # fmt: skip
    ax.set_xticks(list(positions), [label for label, _ in shown], rotation=20, ha="right")
    ax.set_ylabel(f"final {metric}")
    ax.set_title(f"Final {metric}: mean over seeds, error bars = 95% CI (t)")
    _zoom_to_bars(ax, shown)
    ax.grid(True, axis="y", alpha=0.3)
    return png_bytes(fig)


def _zoom_to_bars(ax, shown: list[tuple[str, dict[str, Any]]]) -> None:
    """Accuracies near 0.98 all look equal from 0; start the axis near the lowest bar."""
    if not shown:
        return
    low = min(s["mean"] - _half_width(s) for _, s in shown)
    high = max(s["mean"] + _half_width(s) for _, s in shown)
    margin = (high - low) * 0.3 or abs(high) * 0.05 or 1.0
    ax.set_ylim(max(low - margin, 0.0) if low >= 0 else low - margin, high + margin)


def _half_width(summary: dict[str, Any]) -> float:
    """Of the 95 % interval; 0 with one seed (no interval, so no error bar)."""
    return 0.0 if summary["ci95"] is None else summary["ci95"][1] - summary["mean"]


def _write(compare: RunDir, name: str, png: bytes) -> str:
    relative = f"{files.PLOTS_DIR}/{name}"
    compare.write_bytes(relative, png)
    return relative
