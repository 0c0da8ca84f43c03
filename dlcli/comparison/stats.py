"""A comparison's numbers, all from one place: per group (one setting, all its seeds) the
mean, the sample standard deviation and a t-based 95 % confidence interval of the mean,
a ranking, and Welch's t-test between the best group and the runner-up.

scipy.stats does the statistics. With one seed a group has no spread (std 0, no
interval), so no test can tell two settings apart; with two or three seeds the test is
weak, and `compare_best_two` says so in numbers (n and p) rather than in adjectives.
The plots (dlcli.comparison.plots) draw intervals from `summarize`, so the figures and
comparison.json show the same 95 % intervals.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from dlcli.config.names import higher_is_better

CONFIDENCE = 0.95  # of every interval dlcli reports, and 1 - the test's significance level
ALPHA = 1 - CONFIDENCE
TEST_NAME = "Welch's t-test"

# The metric a comparison is ranked by: the first of these that the members recorded.
RANK_PREFERENCE = ("val_accuracy", "val_loss", "accuracy", "loss")


def summarize(values: list[float]) -> dict[str, Any]:
    """Mean, sample std (ddof=1; 0 with one value) and the t-based 95 % interval of the
    mean over the finite values; `values` keeps every value as recorded (NaN included)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(finite)
    if n == 0:
        return {"mean": None, "std": None, "n": 0, "ci95": None, "values": values}
    mean = float(np.mean(finite))
    std = float(np.std(finite, ddof=1)) if n > 1 else 0.0
    return {"mean": mean, "std": std, "n": n, "ci95": _interval(mean, std, n), "values": values}


def _interval(mean: float, std: float, n: int) -> list[float] | None:
    """mean ± t(0.975, n-1) * std / sqrt(n); None with one value (no spread measured)."""
    if n < 2:
        return None
    half = float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * std / math.sqrt(n)
    return [mean - half, mean + half]


def curve_intervals(curves: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per epoch over seeds: epochs (1-based), mean, and the 95 % interval's half-width
    (0 where only one seed reached that epoch: runs that stopped early count where they ran)."""
    length = max(len(c) for c in curves)
    mean, half = np.full(length, np.nan), np.zeros(length)
    for epoch in range(length):
        stats = summarize([c[epoch] for c in curves if epoch < len(c)])
        if stats["mean"] is not None:
            mean[epoch] = stats["mean"]
            half[epoch] = 0.0 if stats["ci95"] is None else stats["ci95"][1] - stats["mean"]
    return np.arange(1, length + 1), mean, half


def ranked_metric(groups: dict[str, dict]) -> str | None:
    recorded = {k for g in groups.values() for k in g["final"]}
    return next((m for m in RANK_PREFERENCE if m in recorded), None)


def ranking(groups: dict[str, dict], metric: str | None) -> list[dict[str, Any]]:
    """Groups by their mean final `metric`, best first, each with its spread and interval."""
    if metric is None:
        return []
    scored = [(label, g["final"].get(metric)) for label, g in groups.items()]
    scored = [(label, s) for label, s in scored if s and s["mean"] is not None]
    sign = -1 if higher_is_better(metric) else 1
    scored.sort(key=lambda item: sign * item[1]["mean"])
    return [
        {
            "rank": index + 1,
            "group": label,
            "mean": stats["mean"],
            "std": stats["std"],
            "ci95": stats["ci95"],
            "seeds": len(stats["values"]),
        }
        for index, (label, stats) in enumerate(scored)
    ]


def compare_best_two(groups: dict[str, dict], ranked: list[dict], metric: str | None) -> dict:
    """Welch's t-test (unequal variances) of the final `metric` between the best group and
    the runner-up. `p_value` is None, with `reason`, where no test is possible."""
    if metric is None or len(ranked) < 2:
        return {"test": None, "reason": "fewer than two settings completed: nothing to test"}
    best, second = ranked[0]["group"], ranked[1]["group"]
    a, b = (_finite(groups[g]["final"][metric]["values"]) for g in (best, second))
    result: dict[str, Any] = {
        "test": TEST_NAME, "metric": metric, "between": [best, second], "n": [len(a), len(b)],
        "statistic": None, "p_value": None, "alpha": ALPHA, "distinguishable": False,
        "reason": None,
    }  # fmt: skip
    if min(len(a), len(b)) < 2:
        result["reason"] = "one seed per setting measures no spread: no test is possible"
    elif np.std(a) == 0 and np.std(b) == 0:
        result["reason"] = "every seed gave the same value in both settings: no spread to test"
    else:
        with warnings.catch_warnings():  # scipy warns on near-zero variance; p says it all
            warnings.simplefilter("ignore", RuntimeWarning)
            test = scipy_stats.ttest_ind(a, b, equal_var=False)
        result["statistic"], result["p_value"] = float(test.statistic), float(test.pvalue)
        result["distinguishable"] = bool(test.pvalue < ALPHA)
    return result


def best_value(metric: str, values: list[float]) -> float:
    """The best epoch's value of one run: the highest or the lowest, as the metric wants."""
    finite = _finite(values) or [math.nan]
    return max(finite) if higher_is_better(metric) else min(finite)


def epochs_to_target(target, histories: list[dict]) -> dict[str, Any] | None:
    """First epoch (1-based) at which each seed reached the target; the mean if all did."""
    if target is None:
        return None
    metric, value = target
    per_seed = []
    for history in histories:
        hits = [
            epoch
            for epoch, v in enumerate(history.get(metric, []), start=1)
            if (v >= value if higher_is_better(metric) else v <= value)
        ]
        per_seed.append(hits[0] if hits else None)
    reached = [e for e in per_seed if e is not None]
    everyone = bool(per_seed) and len(reached) == len(per_seed)
    return {"per_seed": per_seed, "mean": sum(reached) / len(reached) if everyone else None}


def _finite(values: list[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]
