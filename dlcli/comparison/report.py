"""How a finished comparison is shown: a ranking table, a verdict, or one JSON object.

The numbers come from comparison.json (dlcli.comparison.stats): the table shows each
setting's mean ± std and its 95 % interval; the verdict says what Welch's t-test between
the best two settings found, with n and p, or why no test was possible.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dlcli.comparison.plan import Comparison
from dlcli.config.names import higher_is_better


def ranking_table(comparison: Comparison) -> Table:
    summary = comparison.summary
    metric = summary["ranked_by"]
    better = "higher" if summary["higher_is_better"] else "lower"
    table = Table(
        title=f"{metric}, mean±std over {len(comparison.plan.seeds)} seed(s) with the 95% "
        f"confidence interval (t), ranked by the final value ({better} is better)",
        title_justify="left",
    )
    columns = ("#", "setting", "final", "final 95% CI", "best", *_extra_columns(summary))
    for column in columns:
        table.add_column(column, justify="left" if column == "setting" else "right")
    table.add_column("note")
    for row in summary["ranking"]:
        group = summary["groups"][row["group"]]
        cells = [
            str(row["rank"]),
            row["group"],
            _pm(group["final"][metric]),
            interval_text(row["ci95"]),
            _pm(group["best"][metric]),
        ]
        cells += _extra_cells(summary, group)
        cells.append(_note(row, summary["best_vs_runner_up"]))
        table.add_row(*cells)
    return table


def verdict(comparison: Comparison) -> list[str]:
    """One line saying what the table means, and what it cannot say."""
    ranking = comparison.summary["ranking"]
    if not ranking:
        return ["no member completed: nothing to rank"]
    first = ranking[0]
    lines = [f"best mean: {first['group']} ({_pm(first)}, 95% CI {interval_text(first['ci95'])})"]
    lines.append(welch_statement(comparison.summary["best_vs_runner_up"]))
    target = comparison.summary["target"]
    recorded = {key for group in comparison.summary["groups"].values() for key in group["final"]}
    if target and recorded and target["metric"] not in recorded:
        lines.append(f"--target: no member recorded {target['metric']!r} "
                     f"(recorded: {', '.join(sorted(recorded))})")  # fmt: skip
    incomplete = comparison.summary["incomplete_members"]
    if incomplete:
        lines.append(
            f"{len(incomplete)} member(s) did not complete ({', '.join(incomplete)}); see "
            f"compare.json, or re-run them with: dlcli compare --resume {comparison.path}"
        )
    return lines


def json_summary(comparison: Comparison) -> dict[str, Any]:
    """Everything but the per-epoch histories (those are in comparison.json)."""
    summary = comparison.summary
    groups = {
        label: {k: v for k, v in group.items() if k != "histories"}
        for label, group in summary["groups"].items()
    }
    return {"compare_dir": str(comparison.path), **summary, "groups": groups}


def _extra_columns(summary: dict[str, Any]) -> list[str]:
    columns = [_evaluation_key(summary) or "", "s/epoch"]
    if summary["target"]:
        target = summary["target"]
        reach = "≥" if higher_is_better(target["metric"]) else "≤"
        columns.append(f"epochs to {target['metric']}{reach}{target['value']:g}")
    return [c for c in columns if c]


def _extra_cells(summary: dict[str, Any], group: dict[str, Any]) -> list[str]:
    key = _evaluation_key(summary)
    cells = [_pm(group["evaluation"][key])] if key else []
    cells.append(_pm(group["seconds_per_epoch"], digits=1))
    if summary["target"]:
        reached = group["epochs_to_target"]
        per_seed = ", ".join("—" if e is None else str(e) for e in reached["per_seed"])
        cells.append(f"{reached['mean']:.1f}" if reached["mean"] is not None else per_seed)
    return cells


def _evaluation_key(summary: dict[str, Any]) -> str | None:
    """The final test metric matching the ranked one, e.g. test_accuracy."""
    metric = (summary["ranked_by"] or "").removeprefix("val_")
    for group in summary["groups"].values():
        for key in group["evaluation"]:
            if key.split("_", 1)[-1] == metric:
                return key
    return None


def welch_statement(test: dict[str, Any]) -> str:
    """What Welch's t-test between the best two settings found, in one honest line."""
    if test.get("between") is None:
        return f"no test: {test['reason']}"
    best, second = test["between"]
    n = _n_text(test["n"])
    if test["p_value"] is None:
        hint = "; use --seeds 3 or more" if min(test["n"]) < 2 else ""
        return f"{best} vs {second}: not tested at {n} ({test['reason']}{hint})"
    found = (
        f"{best} is better than {second}"
        if test["distinguishable"]
        else f"{best} vs {second}: not distinguishable"
    )
    return (
        f"{found} at {n} ({test['test']} on the final {test['metric']}, "
        f"p={_p_text(test['p_value'])}, threshold {test['alpha']:g})"
    )


def interval_text(interval: list[float] | None, digits: int = 4) -> str:
    if interval is None:
        return "— (1 seed)"
    return f"[{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"


def _n_text(n: list[int]) -> str:
    return f"n={n[0]}" if n[0] == n[1] else f"n={n[0]} and {n[1]}"


def _p_text(p: float) -> str:
    return f"{p:.2g}" if p >= 0.001 else "<0.001"


def _note(row: dict[str, Any], test: dict[str, Any]) -> str:
    """On the runner-up's row: the p-value of its test against the best."""
    if test.get("p_value") is None or row["group"] != test["between"][1]:
        return ""
    return f"vs #1: p={_p_text(test['p_value'])}"


def _pm(stats: dict[str, Any] | None, digits: int = 4) -> str:
    if not stats or stats.get("mean") is None:
        return "—"
    return f"{stats['mean']:.{digits}f}±{stats['std']:.{digits}f}"
