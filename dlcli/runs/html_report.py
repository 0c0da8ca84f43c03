"""`dlcli report RUN_OR_COMPARISON`: one self-contained report.html to read offline,
send to a colleague or print.

Everything is inside the page: the plots the run already drew (plots/*.png) embedded as
base64, the config, the metrics, the model summary and the environment; for a comparison
the ranking table, its overlay plots and the members. No scripts, no external files.
Written atomically (RunDir.write_text), so a page on disk is always a whole page.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from dlcli.errors import RunDirError
from dlcli.runs import reading
from dlcli.runs import rundir as files
from dlcli.runs.catalog import best_validation, read_comparison, read_run
from dlcli.runs.rundir import RunDir

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 1px solid #ddd;
       padding-bottom: .2em; margin-top: 1.6em; }
.meta { color: #555; } .status { font-weight: 600; padding: .1em .5em; border-radius: 4px; }
.completed { background: #e3f6e8; color: #135c2a; } .failed, .broken { background: #fde8e8;
       color: #8a1c1c; } .interrupted, .running { background: #fff4d6; color: #7a5300; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border: 1px solid #ddd;
       padding: .3em .7em; text-align: left; } td.num { text-align: right;
       font-variant-numeric: tabular-nums; } th { background: #f5f5f7; }
pre { background: #f5f5f7; padding: .8em; overflow-x: auto; font-size: 12px;
       white-space: pre-wrap; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; flex: 1 1 460px; max-width: 540px; } img { width: 100%; }
figcaption { color: #555; font-size: .9em; text-align: center; }
@media print { body { margin: 0; max-width: none; } figure, table, pre { break-inside: avoid; }
       h2 { break-after: avoid; } }
"""


def write_report(path: str | Path) -> Path:
    """Write PATH/report.html for a run or a comparison directory; return its path."""
    folder = Path(path)
    if (folder / files.COMPARE_MANIFEST_FILE).is_file():
        body = _comparison_body(folder)
    else:
        RunDir.open(folder)  # a clear message for anything that is not a run directory
        body = _run_body(folder)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(folder.name)} — dlcli report</title><style>{STYLE}</style></head>"
        f"<body>{body}<p class=meta>Written by <code>dlcli report</code>.</p></body></html>\n"
    )
    return RunDir(folder).write_text(files.REPORT_FILE, page)


def _run_body(folder: Path) -> str:
    row = read_run(folder)
    parts = [_heading(folder, row, "Run")]
    metrics = _json(folder, files.METRICS_FILE)
    history = _json(folder, files.HISTORY_FILE)
    split = metrics.pop("split", "test")
    parts.append(f"<h2>Metrics</h2>{_final_table(metrics, history, split)}")
    parts.append(f"<h2>Curves</h2>{_plots(folder)}")
    parts.append(f"<h2>Config</h2><pre>{_e(_text(folder, files.CONFIG_FILE))}</pre>")
    parts.append(f"<h2>Model</h2><pre>{_e(_text(folder, files.SUMMARY_FILE))}</pre>")
    data = _json(folder, files.DATA_FILE)
    env = _json(folder, files.ENV_FILE)
    parts.append(f"<h2>Data</h2>{_pairs(data)}<h2>Environment</h2>{_pairs(env)}")
    return "\n".join(parts)


def _comparison_body(folder: Path) -> str:
    row = read_comparison(folder)
    summary = _json(folder, files.COMPARISON_JSON)
    manifest = _json(folder, files.COMPARE_MANIFEST_FILE)
    if not summary:
        raise RunDirError(f"{folder}: has no {files.COMPARISON_JSON} yet (the comparison has "
                          "not finished its first summary); nothing to report")  # fmt: skip
    parts = [_heading(folder, row, "Comparison")]
    parts.append(f"<h2>Ranking</h2>{_ranking_table(summary)}")
    parts.append(f"<h2>Curves (mean ± std over seeds)</h2>{_plots(folder)}")
    parts.append(f"<h2>Members</h2>{_members_table(manifest.get('members') or [])}")
    parts.append(f"<h2>Base config</h2><pre>{_e(_text(folder, files.CONFIG_FILE))}</pre>")
    return "\n".join(parts)


def _heading(folder: Path, row: dict[str, Any], kind: str) -> str:
    state = row["status"]
    facts = [f"{kind} <code>{_e(str(folder))}</code>",
             f'<span class="status {_e(state)}">{_e(state)}</span>']  # fmt: skip
    epochs = "epochs" if kind == "Run" else "epochs (all members)"
    for label, key in (("dataset", "dataset"), ("started", "started"), (epochs, "epochs")):
        if row.get(key) is not None:
            facts.append(f"{label}: {_e(str(row[key]))}")
    if row.get("params") is not None:
        facts.append(f"parameters: {row['params']:,}")
    if row.get("duration") is not None:
        facts.append(f"duration: {row['duration']:.0f} s")
    note = f"<p class=meta>{_e(row['note'])}</p>" if row.get("note") else ""
    return f"<h1>{_e(folder.name)}</h1><p class=meta>{' · '.join(facts)}</p>{note}"


def _final_table(metrics: dict[str, Any], history: dict[str, Any], split: str) -> str:
    if not metrics and not history:
        return "<p>No metrics recorded (the run did not finish an epoch).</p>"
    rows = [(f"{split} {key}", value) for key, value in metrics.items()]
    for key, values in history.items():
        if isinstance(values, list) and values:
            rows.append((f"last epoch {key}", values[-1]))
    best = best_validation(history)
    if best:
        rows.append((f"best {best['metric']} (epoch {best['epoch']})", best["value"]))
    cells = "".join(f"<tr><td>{_e(k)}</td><td class=num>{_number(v)}</td></tr>"
                    for k, v in rows)  # fmt: skip
    return f"<table><tr><th>metric</th><th>value</th></tr>{cells}</table>"


def _ranking_table(summary: dict[str, Any]) -> str:
    metric = summary.get("ranked_by")
    if not summary.get("ranking"):
        return "<p>No member completed: nothing to rank.</p>"
    better = "higher" if summary.get("higher_is_better") else "lower"
    head = "<tr><th>#</th><th>setting</th><th>final</th><th>best</th><th>s/epoch</th></tr>"
    rows = []
    for entry in summary["ranking"]:
        group = summary["groups"].get(entry["group"], {})
        cells = [str(entry.get("rank")), _e(entry["group"]),
                 _pm((group.get("final") or {}).get(metric)),
                 _pm((group.get("best") or {}).get(metric)),
                 _pm(group.get("seconds_per_epoch"), 1)]  # fmt: skip
        rows.append("<tr>" + "".join(
            f"<td{'' if i == 1 else ' class=num'}>{c}</td>" for i, c in enumerate(cells)) + "</tr>")
    caption = (f"<p>{_e(str(metric))}, mean ± std over {len(summary.get('seeds') or [])} "
               f"seed(s), ranked by the final value ({better} is better).</p>")  # fmt: skip
    return caption + f"<table>{head}{''.join(rows)}</table>"


def _members_table(members: list[Any]) -> str:
    head = "<tr><th>member</th><th>setting</th><th>seed</th><th>state</th><th>epochs</th>" \
           "<th>seconds</th><th>run directory</th></tr>"  # fmt: skip
    rows = "".join(
        f"<tr><td>{_e(m.get('name'))}</td><td>{_e(m.get('group'))}</td>"
        f"<td class=num>{_e(m.get('seed'))}</td><td>{_e(m.get('state'))}</td>"
        f"<td class=num>{_e(m.get('epochs'))}</td><td class=num>{_e(m.get('seconds'))}</td>"
        f"<td><code>{_e(m.get('run_dir'))}</code></td></tr>"
        for m in members if isinstance(m, dict)
    )
    return f"<table>{head}{rows}</table>"


def _plots(run_folder: Path) -> str:
    run = RunDir(run_folder)
    folder = run.file(files.PLOTS_DIR)  # refused if it is a link out of the run
    pngs = sorted(folder.glob("*.png")) if folder.is_dir() else []
    if not pngs:
        return "<p>No plots (none were drawn: the run finished no epoch).</p>"
    figures = []
    for png in pngs:
        content = run.file(f"{files.PLOTS_DIR}/{png.name}").read_bytes()
        data = base64.b64encode(content).decode("ascii")
        figures.append(f'<figure><img alt="{_e(png.stem)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{_e(png.stem)}</figcaption></figure>")  # fmt: skip
    return f'<div class="plots">{"".join(figures)}</div>'


def _pairs(data: dict[str, Any]) -> str:
    if not data:
        return "<p>Not recorded.</p>"
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v if isinstance(v, str) else json.dumps(v))}</td></tr>"
        for k, v in data.items()
    )
    return f"<table>{rows}</table>"


def _json(folder: Path, name: str) -> dict[str, Any]:
    return RunDir(folder).read_json_optional(name)


def _text(folder: Path, name: str) -> str:
    try:  # a regular file only: a FIFO would block the report forever
        return reading.read_text(RunDir(folder).file(name))
    except FileNotFoundError:
        return f"({name} is missing)"
    except reading.UnreadableRunFile as error:
        return f"({name} unreadable: {error.reason})"


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else _e(value)


def _pm(stats: Any, digits: int = 4) -> str:
    if not isinstance(stats, dict) or stats.get("mean") is None:
        return "—"
    return f"{stats['mean']:.{digits}f} ± {stats['std']:.{digits}f}"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))
