"""dlcli.comparison.plots: bands and error bars are the 95 % intervals of dlcli.comparison.stats,
and the figures say so."""

from __future__ import annotations

import math

import pytest

from dlcli.comparison import plots
from dlcli.comparison.stats import summarize

T_975_DF2 = 4.302653  # t table: two-sided 95 %, 2 degrees of freedom


def group(histories: dict[str, dict[str, list[float]]]) -> dict:
    finals = {k: summarize([h[k][-1] for h in histories.values()]) for k in ("val_loss",)}
    return {"histories": histories, "final": finals}


@pytest.fixture
def figures(monkeypatch) -> list:
    """The matplotlib figures the module draws, kept instead of turned into PNG bytes."""
    drawn: list = []
    monkeypatch.setattr(plots, "png_bytes", lambda fig: drawn.append(fig) or b"png")
    return drawn


def three_seeds() -> dict[str, dict]:
    seeds = {str(s): {"loss": [2.0, 1.0 + s], "val_loss": [2.0, 1.0 + s]} for s in (1, 2, 3)}
    return {"adam": group(seeds)}


def test_band_is_the_t_interval_and_the_legend_and_title_say_so(figures):
    plots._overlay(three_seeds(), "loss", ["adam"])
    ax = figures[0].axes[0]
    assert "95% CI" in ax.get_title()
    assert "95% CI of the mean (t, over seeds)" in [t.get_text() for t in ax.get_legend().texts]
    band = ax.collections[0].get_paths()[0].vertices[:, 1]  # epoch 2: 3 ± t * 1 / sqrt(3)
    half = T_975_DF2 / math.sqrt(3)
    assert max(band) == pytest.approx(3 + half, abs=1e-4)
    assert min(band) == pytest.approx(3 - half, abs=1e-4)
    assert 2.0 in band.round(6)  # epoch 1: every seed at 2.0, a band of zero width


def test_bar_error_bars_are_the_intervals(figures):
    plots._bars(three_seeds(), "val_loss", ["adam"])
    ax = figures[0].axes[0]
    assert "error bars = 95% CI" in ax.get_title()
    (caps_low, caps_high) = (line.get_ydata()[0] for line in ax.lines[:2])
    half = T_975_DF2 / math.sqrt(3)
    assert sorted([caps_low, caps_high]) == pytest.approx([3 - half, 3 + half], abs=1e-4)


def test_one_seed_draws_no_band_and_no_interval_key(figures):
    single = {"sgd": group({"1": {"loss": [2.0, 1.0], "val_loss": [2.1, 1.2]}})}
    plots._overlay(single, "loss", ["sgd"])
    ax = figures[0].axes[0]
    assert all(t.get_text() != plots.BAND_LABEL for t in ax.get_legend().texts)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert set(band.round(6)) <= {1.0, 1.2, 2.0, 2.1}  # zero width: the line itself
