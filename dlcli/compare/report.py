"""How a finished comparison is shown: a ranking table, a verdict, or one JSON object."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dlcli.compare.plan import Comparison
from dlcli.config.names import higher_is_better


def ranking_table(comparison: Comparison) -> Table:
    summary = comparison.summary
    metric = summary["ranked_by"]
    better = "higher" if summary["higher_is_better"] else "lower"
    table = Table(
        title=f"{metric}, mean±std over {len(comparison.plan.seeds)} seed(s), "
        f"ranked by the final value ({better} is better)",
        title_justify="left",
    )
    for column in ("#", "setting", "final", "best", *_extra_columns(summary)):
        table.add_column(column, justify="left" if column == "setting" else "right")
    table.add_column("note")
    for row in summary["ranking"]:
        group = summary["groups"][row["group"]]
        cells = [
            str(row["rank"]),
            row["group"],
            _pm(group["final"][metric]),
            _pm(group["best"][metric]),
        ]
        cells += _extra_cells(summary, group)
        cells.append(_note(row))
        table.add_row(*cells)
    return table


def verdict(comparison: Comparison) -> list[str]:
    """One line saying what the table means, and what it cannot say."""
    ranking = comparison.summary["ranking"]
    if not ranking:
        return ["no member completed: nothing to rank"]
    lines = []
    first = ranking[0]
    if len(comparison.plan.seeds) < 2:
        lines.append("1 seed: no spread was measured, so small differences may be luck; "
                     "use --seeds 3 or more")  # fmt: skip
    if first["within_spread_of"]:
        rivals = ", ".join(first["within_spread_of"])
        lines.append(f"no clear winner: {first['group']} and {rivals} are within each other's "
                     "spread (mean ± std overlap)")  # fmt: skip
    else:
        lines.append(f"best: {first['group']} ({_pm(first)})")
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


def _note(row: dict[str, Any]) -> str:
    if row["within_spread_of"]:
        return "overlaps " + ", ".join(row["within_spread_of"])
    return ""


def _pm(stats: dict[str, Any] | None, digits: int = 4) -> str:
    if not stats or stats.get("mean") is None:
        return "—"
    return f"{stats['mean']:.{digits}f}±{stats['std']:.{digits}f}"
