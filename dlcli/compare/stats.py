"""A comparison's numbers: per group (one setting, all its seeds) mean ± std, a ranking.

Reads the completed members' history.json and metrics.json, writes comparison.json,
comparison.csv and the comparison plots. std is the sample standard deviation over
seeds (0 with a single seed, which therefore cannot tell two settings apart).
"""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any

from dlcli.config.names import higher_is_better
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir

if TYPE_CHECKING:
    from dlcli.compare.plan import Plan

# Metrics where a larger value is better; every other one (losses, errors) is smaller-better.
RANK_PREFERENCE = ("val_accuracy", "val_loss", "accuracy", "loss")


def mean_std(values: list[float]) -> dict[str, Any]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return {"mean": None, "std": None, "values": values}
    mean = sum(finite) / len(finite)
    var = sum((v - mean) ** 2 for v in finite) / (len(finite) - 1) if len(finite) > 1 else 0.0
    return {"mean": mean, "std": math.sqrt(var), "values": values}


def write_comparison(compare: RunDir, plan: Plan) -> dict[str, Any]:
    """comparison.json, comparison.csv and plots/; returns what comparison.json holds."""
    from dlcli.compare.plots import plot_comparison

    groups = {label: _group(compare, plan, label) for label in plan.groups}
    metric = _ranked_metric(groups)
    summary = {
        "config": plan.config,
        "varied": plan.varied,
        "seeds": plan.seeds,
        "target": None
        if plan.target is None
        else {"metric": plan.target[0], "value": plan.target[1]},
        "ranked_by": metric,
        "higher_is_better": None if metric is None else higher_is_better(metric),
        "ranking": _ranking(groups, metric),
        "groups": groups,
        "incomplete_members": [m.name for m in plan.members if m.state != files.COMPLETED],
    }
    compare.write_json(files.COMPARISON_JSON, summary)
    compare.write_text(files.COMPARISON_CSV, _csv(groups, plan.target))
    summary["plots"] = plot_comparison(compare, groups, metric)
    compare.write_json(files.COMPARISON_JSON, summary)
    return summary


def _group(compare: RunDir, plan: Plan, label: str) -> dict[str, Any]:
    members = [m for m in plan.members if m.group == label]
    done = [m for m in members if m.state == files.COMPLETED and m.run_dir]
    runs = [RunDir(compare.file(m.run_dir)) for m in done]
    histories = [run.read_json(files.HISTORY_FILE) for run in runs]
    evaluations = [run.read_json(files.METRICS_FILE) for run in runs]
    keys = list(dict.fromkeys(k for h in histories for k in h))
    final = {k: mean_std([h[k][-1] for h in histories if h.get(k)]) for k in keys}
    best = {k: mean_std([_best(k, h[k]) for h in histories if h.get(k)]) for k in keys}
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
        "evaluation": {f"{split}_{k}": mean_std([e[k] for e in evaluations]) for k in evaluated},
        "epochs_to_target": _epochs_to_target(plan.target, histories),
        "seconds_per_epoch": mean_std([m.seconds / m.epochs for m in done if m.epochs]),
    }


def _best(metric: str, values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)] or [math.nan]
    return max(finite) if higher_is_better(metric) else min(finite)


def _epochs_to_target(target, histories: list[dict]) -> dict[str, Any] | None:
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


def _ranked_metric(groups: dict[str, dict]) -> str | None:
    recorded = {k for g in groups.values() for k in g["final"]}
    return next((m for m in RANK_PREFERENCE if m in recorded), None)


def _ranking(groups: dict[str, dict], metric: str | None) -> list[dict[str, Any]]:
    """Best first; a group whose mean ± std overlaps another's gets a note naming it."""
    if metric is None:
        return []
    scored = [(label, g["final"].get(metric)) for label, g in groups.items()]
    scored = [(label, s) for label, s in scored if s and s["mean"] is not None]
    sign = -1 if higher_is_better(metric) else 1
    scored.sort(key=lambda item: sign * item[1]["mean"])
    ranking = []
    for index, (label, stats) in enumerate(scored):
        close = [other for other, o in scored if other != label and _overlap(stats, o)]
        ranking.append(
            {
                "rank": index + 1,
                "group": label,
                "mean": stats["mean"],
                "std": stats["std"],
                "seeds": len(stats["values"]),
                "within_spread_of": close,
            }
        )
    return ranking


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Do mean ± std intervals overlap? With one seed (std 0) only equal means do."""
    return abs(a["mean"] - b["mean"]) <= a["std"] + b["std"]


def _csv(groups: dict[str, dict], target: tuple[str, float] | None) -> str:
    """One row per group and metric; epochs_to_target is filled on the target's row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["group", "metric", "seeds", "final_mean", "final_std", "best_mean", "best_std"]
    writer.writerow([*header, "seconds_per_epoch", "epochs_to_target"])
    for label, group in groups.items():
        seconds = _number(group["seconds_per_epoch"]["mean"])
        reached = group["epochs_to_target"]
        rows = [(k, group["final"][k], group["best"].get(k)) for k in group["final"]]
        rows += [(k, stats, stats) for k, stats in group["evaluation"].items()]
        for metric, final, best in rows:
            writer.writerow(
                [
                    label,
                    metric,
                    len(final["values"]),
                    _number(final["mean"]),
                    _number(final["std"]),
                    _number(best["mean"]),
                    _number(best["std"]),
                    seconds,
                    _number(reached["mean"]) if target and metric == target[0] else "",
                ]
            )
    return buffer.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"
