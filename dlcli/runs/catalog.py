"""What is in a runs directory: one row per run and comparison, read from the files runs
already write (status.json, history.json, metrics.json, ...), for `dlcli runs`.

Never raises for a broken or half-written directory: it becomes a row whose status says
`broken` and whose note says what is missing. Reads JSON only (no YAML, no TensorFlow),
so a thousand run directories list in well under a second (`make bench`, runs_table).
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from dlcli.errors import DlcliError, UsageError, first_line
from dlcli.runs import reading, records
from dlcli.runs import rundir as files
from dlcli.runs.records import epochs_recorded
from dlcli.runs.rundir import training_now

BROKEN = "broken"
# Columns of `dlcli runs`, in order; each is also a --sort and --filter field.
FIELDS = (
    "name", "kind", "status", "dataset", "params", "epochs", "best", "test", "backend",
    "duration", "started", "path", "note",
)  # fmt: skip
# A directory RunDir.create makes: <name>-YYYYmmdd-HHMMSS[-N]
STAMPED = re.compile(r".+-(\d{8}-\d{6})(?:-\d+)?")
_TOTAL_PARAMS = re.compile(r"Total params:\s*([\d,]+)")


def list_runs(
    runs_dir: str | Path, members: bool = False, sort: str = "started"
) -> list[dict[str, Any]]:
    """A row per run and comparison directory under `runs_dir`, sorted by `sort` (newest
    first by default); with `members`, each comparison's member runs follow its row."""
    root = Path(runs_dir)
    if not root.is_dir():
        raise UsageError(f"{root}: no such runs directory (train something first: dlcli train)")
    rows, inside = [], {}
    for path in sorted(root.iterdir()):
        if not path.is_dir() or not _looks_like_a_run(path):
            continue
        if (path / files.COMPARE_MANIFEST_FILE).is_file():
            rows.append(_isolated(path, comparison=True))
            inside[str(path)] = [_isolated(p, f"{path.name}/") for p in
                                 sorted(path.iterdir()) if p.is_dir() and _looks_like_a_run(p)
                                 ] if members else []  # fmt: skip
        else:
            rows.append(_isolated(path))
    ordered = []
    for row in sort_rows(rows, sort):
        ordered += [row, *sort_rows(inside.get(row["path"], []), sort)]
    return ordered


def _isolated(path: Path, prefix: str = "", comparison: bool = False) -> dict[str, Any]:
    """One directory's row, whatever its files hold: the readers below check what they
    use, and anything they did not foresee makes this one row broken, not the table."""
    try:
        return read_comparison(path) if comparison else read_run(path, prefix)
    except (DlcliError, ArithmeticError, LookupError, TypeError, ValueError) as error:
        return {**dict.fromkeys(FIELDS), "name": prefix + path.name, "kind": "run",
                "status": BROKEN, "started": _stamp(path.name), "path": str(path),
                "note": first_line(error)}  # fmt: skip


def _looks_like_a_run(path: Path) -> bool:
    return bool(STAMPED.fullmatch(path.name)) or (path / files.STATUS_FILE).is_file()


def read_run(path: Path, prefix: str = "") -> dict[str, Any]:
    """One run directory as a row; what cannot be read is named in `note`."""
    problems: list[str] = []
    status = _status(path, problems)
    history = _json(path, files.HISTORY_FILE, problems, needed=False)
    metrics = _json(path, files.METRICS_FILE, problems, needed=status.get("state") == "completed")
    data = _json(path, files.DATA_FILE, problems, needed=False)
    env = _json(path, files.ENV_FILE, problems, needed=False)
    if not os.path.isfile(os.path.join(path, files.CONFIG_FILE)):
        problems.append(f"no {files.CONFIG_FILE}")
    state = status.get("state")
    if state == files.RUNNING and not training_now(path, status.get("pid")):
        state = files.INTERRUPTED
    started = status.get("started") or _stamp(path.name)
    ended = status.get("updated") if state != files.RUNNING else _now_text()
    return {
        "name": prefix + path.name,
        "kind": "run",
        "status": state if state and not problems else BROKEN,
        "dataset": _dataset(data.get("source")),
        "params": _params(path),
        "epochs": status.get("epochs", epochs_recorded(history)),
        "best": best_validation(history),
        "test": _test_metric(metrics),
        "backend": env.get("backend") or ("tensorflow" if "tensorflow" in env else None),
        "duration": _seconds(started, ended) if status else None,
        "started": started,
        "path": str(path),
        "note": "; ".join(problems) or status.get("reason"),
    }


def _status(path: Path, problems: list[str]) -> dict[str, Any]:
    """status.json, checked against its schema (a state such as "hacked" is damage)."""
    status = _json(path, files.STATUS_FILE, problems)
    if not status:
        return {}
    try:
        return records.status(status, files.STATUS_FILE)
    except DlcliError as error:
        problems.append(str(error))
        return {}


def read_comparison(path: Path) -> dict[str, Any]:
    """A comparison directory as a row: its members' states, the winner so far."""
    problems: list[str] = []
    manifest = _json(path, files.COMPARE_MANIFEST_FILE, problems)
    summary = _json(path, files.COMPARISON_JSON, problems, needed=False)
    members = manifest.get("members") if isinstance(manifest.get("members"), list) else []
    states = [m.get("state") for m in members if isinstance(m, dict)]
    first = next((files.confined(path, m["run_dir"]) for m in members if isinstance(m, dict)
                  and m.get("state") == "completed" and isinstance(m.get("run_dir"), str)),
                 None)  # fmt: skip
    member = read_run(first) if first else {}
    seconds = sum(m.get("seconds") or 0 for m in members if isinstance(m, dict))
    return {
        "name": path.name,
        "kind": f"comparison ({len(members)} members)",
        "status": BROKEN if problems else _comparison_state(states),
        "dataset": member.get("dataset"),
        "params": member.get("params"),
        "epochs": sum(m.get("epochs") or 0 for m in members if isinstance(m, dict)) or None,
        "best": _winner(summary),
        "test": None,
        "backend": member.get("backend"),
        "duration": round(seconds, 1) if seconds else None,
        "started": _stamp(path.name),
        "path": str(path),
        "note": "; ".join(problems) or _member_counts(states),
    }


def _comparison_state(states: list[str | None]) -> str:
    if states and all(s == files.COMPLETED for s in states):
        return files.COMPLETED
    if files.RUNNING in states:
        return files.RUNNING
    return files.FAILED if files.FAILED in states else files.INTERRUPTED


def _member_counts(states: list[str | None]) -> str | None:
    counts = {s: states.count(s) for s in dict.fromkeys(states)}
    return None if set(counts) == {files.COMPLETED} else ", ".join(
        f"{n} {s}" for s, n in counts.items())  # fmt: skip


def _winner(summary: dict[str, Any]) -> dict[str, Any] | None:
    ranking = summary.get("ranking") or []
    if not ranking or not isinstance(ranking[0], dict):
        return None
    return {"metric": summary.get("ranked_by"), "value": ranking[0].get("mean"),
            "group": ranking[0].get("group")}  # fmt: skip


def best_validation(history: dict[str, Any]) -> dict[str, Any] | None:
    """The best epoch of val_accuracy (else val_loss, else the first val_* metric)."""
    from dlcli.config.names import higher_is_better

    keys = [k for k in history if k.startswith("val_") and isinstance(history[k], list)]
    metric = next((k for k in ("val_accuracy", "val_loss") if k in keys), keys[0] if keys else None)
    values = [v for v in history.get(metric) or [] if isinstance(v, int | float) and v == v]
    if not values:
        return None
    best = max(values) if higher_is_better(metric) else min(values)
    return {"metric": metric, "value": best, "epoch": history[metric].index(best) + 1}


def _test_metric(metrics: dict[str, Any]) -> dict[str, Any] | None:
    split = metrics.get("split", "test")
    for key in ("accuracy", "loss", *metrics):
        if key != "split" and isinstance(metrics.get(key), int | float):
            return {"metric": f"{split}_{key}", "value": metrics[key]}
    return None


def _json(path: Path, name: str, problems: list[str], needed: bool = True) -> dict[str, Any]:
    try:  # os.path.join: pathlib's joins cost as much as the reading over 1,000 runs
        data = reading.load_json(os.path.join(path, name))
    except FileNotFoundError:
        if needed:
            problems.append(f"no {name}")
        return {}
    except reading.UnreadableRunFile as error:
        problems.append(f"{name} unreadable ({error.reason})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{name} unreadable")
        return {}
    return data


def _dataset(source: Any) -> str | None:
    """data.json's source, e.g. "mnist from /data/mnist.npz" -> "mnist" (where it came
    from is the same dataset; `dlcli report` shows the whole line)."""
    return source.split(" from ", 1)[0] if isinstance(source, str) else None


def _params(path: Path) -> int | None:
    try:
        found = _TOTAL_PARAMS.search(reading.read_text(os.path.join(path, files.SUMMARY_FILE)))
    except (OSError, reading.UnreadableRunFile):
        return None
    return int(found.group(1).replace(",", "")) if found else None


def _stamp(name: str) -> str | None:
    found = STAMPED.fullmatch(name)
    if not found:
        return None
    return datetime.strptime(found.group(1), "%Y%m%d-%H%M%S").strftime("%Y-%m-%dT%H:%M:%S")


def _now_text() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:  # fromisoformat reads status.json's "2026-01-01T10:00:00+0000" ~20x faster than strptime
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _seconds(started: Any, ended: Any) -> float | None:
    begin, end = _time(started), _time(ended)
    return None if begin is None or end is None else round((end - begin).total_seconds(), 1)


def sort_rows(rows: list[dict[str, Any]], field: str, reverse: bool | None = None):
    """By `field` (a FIELDS name); times, metrics and counts largest/newest first."""
    if field not in FIELDS:
        raise UsageError(f"--sort {field!r}: not a field; choose one of {', '.join(FIELDS)}")
    descending = field not in ("name", "kind", "status", "dataset", "backend", "path", "note")
    present = [r for r in rows if sort_value(r[field]) is not None]
    missing = [r for r in rows if sort_value(r[field]) is None]
    ordered = sorted(present, key=lambda r: _comparable(sort_value(r[field])),
                     reverse=descending if reverse is None else reverse)  # fmt: skip
    return ordered + missing


def sort_value(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("value")
    return value


def _comparable(value: Any) -> tuple:
    """Numbers before text, so one run's odd value (a metric recorded as text) cannot
    make the sort compare a string with a float."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value if value == value else float("-inf"), "")  # NaN sorts as lowest
    return (1, 0, str(value))


def filter_rows(rows: list[dict[str, Any]], filters: list[str]) -> list[dict[str, Any]]:
    """`status=completed`, `dataset=mnist`: keep rows whose field shows that value (a
    metric field matches its metric name, e.g. best=val_accuracy)."""
    for text in filters:
        field, sep, wanted = text.partition("=")
        field = field.strip()
        if not sep or field not in FIELDS:
            raise UsageError(f"--filter {text!r}: expected FIELD=VALUE with FIELD one of "
                             f"{', '.join(FIELDS)}, e.g. status=completed")  # fmt: skip
        rows = [r for r in rows if _shown(r[field]) == wanted.strip()]
    return rows


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("metric"))
    return "" if value is None else str(value)
