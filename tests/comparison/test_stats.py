"""dlcli.comparison.stats: mean, std, t-intervals, Welch's test and the ranking, with numbers
that can be checked by hand (t quantiles from any t table)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcli.comparison.stats import (
    best_value,
    compare_best_two,
    curve_intervals,
    epochs_to_target,
    ranked_metric,
    ranking,
    summarize,
)

T_975_DF2 = 4.302653  # t table: two-sided 95 %, 2 degrees of freedom (n = 3)
T_975_DF1 = 12.706205  # 1 degree of freedom (n = 2)


def test_mean_sample_std_and_t_interval_of_three_values():
    summary = summarize([1.0, 2.0, 3.0])
    assert summary["mean"] == 2.0 and summary["n"] == 3
    assert summary["std"] == pytest.approx(1.0)  # sample std: sqrt(((1)^2 + 0 + 1^2) / 2)
    half = T_975_DF2 * 1.0 / math.sqrt(3)  # 2.484
    assert summary["ci95"] == pytest.approx([2.0 - half, 2.0 + half], abs=1e-5)


def test_one_value_has_no_spread_and_no_interval():
    summary = summarize([0.93])
    assert summary == {"mean": 0.93, "std": 0.0, "n": 1, "ci95": None, "values": [0.93]}


def test_non_finite_values_are_kept_but_not_counted():
    summary = summarize([math.nan, 1.0, 3.0])
    assert summary["n"] == 2 and summary["mean"] == 2.0
    assert summary["std"] == pytest.approx(math.sqrt(2))
    # half-width = t(0.975, 1) * sqrt(2) / sqrt(2)
    assert summary["ci95"] == pytest.approx([2.0 - T_975_DF1, 2.0 + T_975_DF1], abs=1e-5)
    assert len(summary["values"]) == 3
    assert summarize([math.inf])["mean"] is None


def test_curve_intervals_per_epoch_follow_the_seeds_that_reached_it():
    epochs, mean, half = curve_intervals([[1.0, 4.0], [2.0, 5.0], [3.0]])  # one stopped early
    assert list(epochs) == [1, 2]
    assert list(mean) == [2.0, 4.5]
    assert half[0] == pytest.approx(T_975_DF2 / math.sqrt(3), abs=1e-5)
    # epoch 2: two seeds, std sqrt(0.5), half-width t(0.975, 1) * sqrt(0.5) / sqrt(2)
    assert half[1] == pytest.approx(T_975_DF1 * 0.5, abs=1e-5)
    _, _, single = curve_intervals([[0.5, 0.6]])
    assert list(single) == [0.0, 0.0]  # one seed: no band


def group(final: dict[str, list[float]]) -> dict:
    return {"final": {metric: summarize(values) for metric, values in final.items()}}


def test_ranking_follows_the_metric_direction_and_carries_intervals():
    groups = {
        "a": group({"val_loss": [0.10, 0.12]}),
        "b": group({"val_loss": [0.11, 0.13]}),
        "c": group({"val_loss": [0.50, 0.52]}),
    }
    ranked = ranking(groups, "val_loss")  # lower is better
    assert [r["group"] for r in ranked] == ["a", "b", "c"]
    assert ranked[0]["mean"] == pytest.approx(0.11) and ranked[0]["seeds"] == 2
    assert ranked[0]["ci95"][0] < 0.11 < ranked[0]["ci95"][1]
    accuracy = {"x": group({"val_accuracy": [0.7]}), "y": group({"val_accuracy": [0.9]})}
    assert [r["group"] for r in ranking(accuracy, "val_accuracy")] == ["y", "x"]
    assert ranking(groups, None) == []


def test_ranked_metric_prefers_validation_accuracy_then_loss():
    assert ranked_metric({"a": group({"loss": [1.0], "val_loss": [1.0]})}) == "val_loss"
    assert ranked_metric({"a": group({"val_accuracy": [1.0], "val_loss": [1.0]})}) == (
        "val_accuracy"
    )
    assert ranked_metric({"a": group({"mae": [1.0]})}) is None


def test_welch_test_between_the_best_two_matches_the_hand_computation():
    # a = 1,2,3 and b = 4,5,6: t = (5 - 2) / sqrt(1/3 + 1/3) = 3.674, Welch df = 4,
    # two-sided p = 0.0213 (t table: t(0.975, 4) = 2.776 < 3.674 < t(0.99, 4) = 3.747)
    groups = {"a": group({"val_accuracy": [1, 2, 3]}), "b": group({"val_accuracy": [4, 5, 6]})}
    test = compare_best_two(groups, ranking(groups, "val_accuracy"), "val_accuracy")
    assert test["between"] == ["b", "a"] and test["n"] == [3, 3]
    assert test["statistic"] == pytest.approx(3.0 / math.sqrt(2 / 3))
    assert test["p_value"] == pytest.approx(0.0213, abs=5e-4)
    assert test["distinguishable"] is True and test["alpha"] == pytest.approx(0.05)


def test_close_settings_with_three_seeds_are_not_distinguishable():
    groups = {
        "adam": group({"val_loss": [0.30, 0.35, 0.40]}),
        "rmsprop": group({"val_loss": [0.33, 0.38, 0.43]}),
    }
    test = compare_best_two(groups, ranking(groups, "val_loss"), "val_loss")
    assert test["between"] == ["adam", "rmsprop"]
    # equal spreads 0.05: t = 0.03 / sqrt(2 * 0.0025 / 3) = 0.735, df = 4, p = 0.50
    assert test["p_value"] == pytest.approx(0.503, abs=5e-3)
    assert test["distinguishable"] is False


def test_no_test_with_one_seed_one_setting_or_no_spread():
    one_seed = {"a": group({"loss": [0.1]}), "b": group({"loss": [0.2]})}
    test = compare_best_two(one_seed, ranking(one_seed, "loss"), "loss")
    assert test["p_value"] is None and test["n"] == [1, 1] and "one seed" in test["reason"]
    alone = {"a": group({"loss": [0.1, 0.2]})}
    assert compare_best_two(alone, ranking(alone, "loss"), "loss")["test"] is None
    flat = {"a": group({"loss": [0.1, 0.1]}), "b": group({"loss": [0.2, 0.2]})}
    test = compare_best_two(flat, ranking(flat, "loss"), "loss")
    assert test["p_value"] is None and "same value" in test["reason"]


def test_epochs_to_target_and_best_follow_the_metric_direction():
    histories = [{"val_loss": [0.9, 0.5, 0.4]}, {"val_loss": [0.8, 0.7, 0.45]}]
    assert epochs_to_target(("val_loss", 0.5), histories) == {"per_seed": [2, 3], "mean": 2.5}
    missed = [{"val_loss": [0.9]}, {"val_loss": [0.4]}]
    assert epochs_to_target(("val_loss", 0.5), missed) == {"per_seed": [None, 1], "mean": None}
    assert epochs_to_target(None, histories) is None
    assert best_value("val_loss", [0.9, 0.4, 0.6]) == 0.4
    assert best_value("val_accuracy", [0.9, 0.95, 0.6]) == 0.95
    assert math.isnan(best_value("loss", [np.nan]))
