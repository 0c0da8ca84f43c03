"""A finished comparison's files: comparison.json, comparison.csv and plots/.

Reads the completed members' history.json and metrics.json, summarises each group with
dlcli.comparison.stats (mean, std, 95 % interval; Welch's test between the best two) and
writes the files while holding the comparison's lock (dlcli.comparison.plan.comparison_lock),
so two processes finishing the same comparison cannot interleave their writes.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from dlcli.comparison import stats
from dlcli.comparison.plan import Plan, comparison_lock, load_plan
from dlcli.comparison.plots import plot_comparison
from dlcli.config.names import higher_is_better
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir


def write_comparison(compare: RunDir) -> tuple[Plan, dict[str, Any]]:
    """Summarise the manifest as it is on disk; returns that plan and comparison.json."""
    with comparison_lock(compare):
        plan = load_plan(compare)  # the manifest, with every process's member updates
        summary = summarize_plan(compare, plan)
        compare.write_json(files.COMPARISON_JSON, summary)
        compare.write_text(files.COMPARISON_CSV, comparison_csv(summary, plan.target))
        summary["plots"] = plot_comparison(compare, summary["groups"], summary["ranked_by"])
        compare.write_json(files.COMPARISON_JSON, summary)
    return plan, summary


def summarize_plan(compare: RunDir, plan: Plan) -> dict[str, Any]:
    """What comparison.json holds (less the list of plots)."""
    groups = {label: _group(compare, plan, label) for label in plan.groups}
    metric = stats.ranked_metric(groups)
    ranking = stats.ranking(groups, metric)
    return {
        "config": plan.config,
        "varied": plan.varied,
        "seeds": plan.seeds,
        "target": None
        if plan.target is None
        else {"metric": plan.target[0], "value": plan.target[1]},
        "ranked_by": metric,
        "higher_is_better": None if metric is None else higher_is_better(metric),
        "confidence": stats.CONFIDENCE,
        "ranking": ranking,
        "best_vs_runner_up": stats.compare_best_two(groups, ranking, metric),
        "groups": groups,
        "incomplete_members": [m.name for m in plan.members if m.state != files.COMPLETED],
    }


def _group(compare: RunDir, plan: Plan, label: str) -> dict[str, Any]:
    members = [m for m in plan.members if m.group == label]
    done = [m for m in members if m.state == files.COMPLETED and m.run_dir]
    runs = [RunDir(compare.file(m.run_dir)) for m in done]
    histories = [run.read_json(files.HISTORY_FILE) for run in runs]
    evaluations = [run.read_json(files.METRICS_FILE) for run in runs]
    keys = list(dict.fromkeys(k for h in histories for k in h))
    summarize = stats.summarize
    final = {k: summarize([h[k][-1] for h in histories if h.get(k)]) for k in keys}
    best = {k: summarize([stats.best_value(k, h[k]) for h in histories if h.get(k)]) for k in keys}
    split = evaluations[0].get("split", "test") if evaluations else "test"
    evaluated = [k for k in (evaluations[0] if evaluations else {}) if k != "split"]
    return {
        "overrides": plan.groups[label],
        "members": [
            {"name": m.name, "seed": m.seed, "state": m.state, "run_dir": m.run_dir}
            for m in members
        ],
        "histories": {str(m.seed): h for m, h in zip(done, histories, strict=True)},
        "final": final,
        "best": best,
        "evaluation": {f"{split}_{k}": summarize([e[k] for e in evaluations]) for k in evaluated},
        "epochs_to_target": stats.epochs_to_target(plan.target, histories),
        "seconds_per_epoch": summarize([m.seconds / m.epochs for m in done if m.epochs]),
    }


CSV_HEADER = [
    "group", "metric", "seeds", "final_mean", "final_std", "best_mean", "best_std",
    "seconds_per_epoch", "epochs_to_target", "final_ci95_low", "final_ci95_high", "welch_p",
]  # fmt: skip


def comparison_csv(summary: dict[str, Any], target: tuple[str, float] | None) -> str:
    """One row per group and metric; epochs_to_target is filled on the target's row, and
    welch_p (the runner-up against the best, on the ranked metric) on the runner-up's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    test = summary["best_vs_runner_up"]
    tested = (test["between"][1], test["metric"]) if test.get("p_value") is not None else None
    for label, group in summary["groups"].items():
        seconds = _number(group["seconds_per_epoch"]["mean"])
        reached = group["epochs_to_target"]
        rows = [(k, group["final"][k], group["best"].get(k)) for k in group["final"]]
        rows += [(k, summary, summary) for k, summary in group["evaluation"].items()]
        for metric, final, best in rows:
            low, high = final["ci95"] or (None, None)
            writer.writerow(
                [
                    label, metric, len(final["values"]), _number(final["mean"]),
                    _number(final["std"]), _number(best["mean"]), _number(best["std"]), seconds,
                    _number(reached["mean"]) if target and metric == target[0] else "",
                    _number(low), _number(high),
                    _number(test["p_value"]) if tested == (label, metric) else "",
                ]
            )  # fmt: skip
    return buffer.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"
