"""dlcli.comparison.report: the ranking table shows the 95 % intervals, and the verdict says
what was tested between the best two settings, with n and p, or why nothing was."""

from __future__ import annotations

import io

from rich.console import Console

from dlcli.comparison.plan import Comparison, load_plan
from dlcli.comparison.report import json_summary, ranking_table, verdict, welch_statement
from dlcli.comparison.summary import summarize_plan
from tests.helpers.runs import completed_comparison


def comparison(folder, finals: dict[str, list[float]]) -> Comparison:
    compare = completed_comparison(folder, finals)
    plan = load_plan(compare)
    return Comparison(compare.path, plan, summarize_plan(compare, plan))


def rendered(table) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(table)
    return console.file.getvalue()


def test_table_shows_mean_std_and_the_interval(tmp_path):
    text = rendered(ranking_table(comparison(tmp_path, {"adam": [1, 2, 3], "sgd": [4, 5, 6]})))
    assert "95% confidence interval (t)" in text and "final 95% CI" in text
    # adam: 2 ± 1, interval 2 ± 4.3027 / sqrt(3) = [-0.4841, 4.4841]
    assert "2.0000±1.0000" in text and "[-0.4841, 4.4841]" in text
    assert "vs #1: p=0.021" in text  # on the runner-up's row


def test_verdict_names_the_test_n_and_p_when_the_difference_is_clear(tmp_path):
    lines = verdict(comparison(tmp_path, {"adam": [1, 2, 3], "sgd": [4, 5, 6]}))
    assert lines[0] == "best mean: optimizer=adam (2.0000±1.0000, 95% CI [-0.4841, 4.4841])"
    assert lines[1] == (
        "optimizer=adam is better than optimizer=sgd at n=3 "
        "(Welch's t-test on the final val_loss, p=0.021, threshold 0.05)"
    )


def test_verdict_says_not_distinguishable_for_close_settings(tmp_path):
    lines = verdict(comparison(tmp_path, {"adam": [0.30, 0.35, 0.40], "sgd": [0.33, 0.38, 0.43]}))
    assert lines[1] == (
        "optimizer=adam vs optimizer=sgd: not distinguishable at n=3 "
        "(Welch's t-test on the final val_loss, p=0.5, threshold 0.05)"
    )


def welch_statements_without_a_test():
    reason = "one seed per setting measures no spread: no test is possible"
    one_seed = {"between": ["adam", "sgd"], "n": [1, 1], "p_value": None, "reason": reason}
    assert welch_statement(one_seed) == (
        "adam vs sgd: not tested at n=1 (one seed per setting measures no spread: "
        "no test is possible; use --seeds 3 or more)"
    )
    alone = {"test": None, "reason": "fewer than two settings completed: nothing to test"}
    assert welch_statement(alone) == "no test: fewer than two settings completed: nothing to test"


def test_json_summary_leaves_out_histories_but_keeps_the_test(tmp_path):
    summary = json_summary(comparison(tmp_path, {"adam": [1, 2, 3], "sgd": [4, 5, 6]}))
    assert summary["best_vs_runner_up"]["n"] == [3, 3]
    assert all("histories" not in group for group in summary["groups"].values())
