"""`dlcli runs`, `dlcli diff`, `dlcli report` and `dlcli schema`: around finished runs.

Registered on the app in `dlcli.cli.app`. None of them imports TensorFlow: they read
the files runs write (dlcli.runs.catalog, .diff, .html_report) or the config schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dlcli.cli.completion import complete_run_dir
from dlcli.cli.display import print_json
from dlcli.cli.options import JsonOpt, VerboseOpt, out, reported

RunOrComparisonArg = Annotated[
    Path,
    typer.Argument(help="A run or comparison directory (runs/<name>-<stamp>).",
                   autocompletion=complete_run_dir),  # fmt: skip
]
STATE_STYLE = {"completed": "green", "failed": "red", "broken": "red", "interrupted": "yellow",
               "running": "cyan"}  # fmt: skip


def runs(
    runs_dir: Annotated[Path, typer.Argument(help="The runs directory to list.")] = Path("runs"),
    sort: Annotated[
        str, typer.Option(help="Field to sort by (newest / largest first): started, name, "
                          "status, best, test, duration, params, epochs, ...")  # fmt: skip
    ] = "started",
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="FIELD=VALUE, repeatable, e.g. status=completed."),
    ] = None,
    members: Annotated[
        bool, typer.Option("--members", help="Also list each comparison's member runs.")
    ] = False,
    limit: Annotated[
        int, typer.Option(min=0, help="Show the first N rows of the table (0: all); "
                          "--json always lists every run.")  # fmt: skip
    ] = 50,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Every run and comparison under RUNS_DIR, newest first: status, data, results."""
    # Straight to dlcli.runs (not through dlcli.api, which imports NumPy): `runs` is instant.
    from dlcli.runs.catalog import filter_rows, list_runs

    with reported(verbose):
        rows = filter_rows(list_runs(runs_dir, members, sort), filter_ or [])
    if json_:
        print_json({"runs_dir": str(runs_dir), "runs": rows})
        return
    wide = out if out.is_terminal else Console(highlight=False, width=200)
    wide.print(_runs_table(rows[: limit or None], runs_dir, len(rows)))


def _runs_table(rows: list[dict[str, Any]], runs_dir: Path, total: int) -> Table:
    """Plain Text cells (no markup to parse) and no wrapping: Rich draws each cell once."""
    shown = f"{total} run(s)" if len(rows) == total else \
        f"the newest {len(rows)} of {total} runs (--limit 0: all)"  # fmt: skip
    table = Table(title=f"{shown} in {runs_dir}", title_justify="left")
    for column in ("name", "status", "dataset", "params", "epochs", "best val", "test",
                   "backend", "duration", "started"):  # fmt: skip
        table.add_column(column, justify="right" if column in ("params", "epochs") else "left",
                         no_wrap=True, overflow="ellipsis",  # a broken run's whole reason
                         max_width=48 if column == "status" else None)  # is in --json
    for row in rows:
        state = row["status"]
        status = Text(state, style=STATE_STYLE.get(state, ""))
        name = row["name"]
        if row["kind"] != "run":  # e.g. "comparison (6 members)"
            name += f"  ({row['kind'].replace('comparison (', '').rstrip(')')})"
            status.append(f" ({row['note']})" if row["note"] else "")
        elif "/" in name:  # a comparison's member, listed under it
            name = "  └ " + name.split("/", 1)[1]
        if state == "broken" and row["note"]:
            status.append(f" ({row['note']})")
        cells = [
            row["dataset"] or "", f"{row['params']:,}" if row["params"] else "",
            str(row["epochs"] or ""), _metric(row["best"]), _metric(row["test"]),
            row["backend"] or "", _duration(row["duration"]),
            (row["started"] or "")[:16].replace("T", " "),
        ]  # fmt: skip
        table.add_row(Text(name), status, *(Text(str(c)) for c in cells))
    return table


def _metric(value: dict[str, Any] | None) -> str:
    if not value or value.get("value") is None:
        return ""
    where = f" @{value['epoch']}" if "epoch" in value else ""
    group = f" ({value['group']})" if value.get("group") else ""
    number = value["value"]  # a comparison.json anyone may have edited: not always a number
    shown = f"{number:.4f}" if isinstance(number, int | float) else str(number)
    return f"{value['metric']} {shown}{where}{group}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def diff(
    run_a: RunOrComparisonArg, run_b: RunOrComparisonArg, json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:  # fmt: skip
    """The config keys that differ between two runs, and their metrics side by side."""
    from dlcli.runs.diff import diff_runs

    with reported(verbose):
        found = diff_runs(run_a, run_b)
    if json_:
        print_json(found)
        return
    config = Table(title="config keys that differ", title_justify="left")
    for column in ("key", "A", "B"):
        config.add_column(column)
    for row in found["config"]:
        config.add_row(row["key"], _value(row["a"]), _value(row["b"]))
    metrics = Table(title="metrics (B − A)", title_justify="left")
    for column in ("metric", "A", "B", "B − A"):
        metrics.add_column(column, justify="left" if column == "metric" else "right")
    for row in found["metrics"]:
        delta = "" if row["delta"] is None else f"{row['delta']:+.4f}".replace(".0000", "")
        metrics.add_row(row["metric"], _value(row["a"]), _value(row["b"]), delta)
    out.print(f"A: {found['a']}\nB: {found['b']}")
    out.print(config if found["config"] else "the configs are identical")
    out.print(metrics)


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4f}"
    return str(value)  # `out` prints without Rich markup: nothing to escape


def report(
    path: RunOrComparisonArg,
    verbose: VerboseOpt = False,
) -> None:
    """Write PATH/report.html: plots, config, metrics, model, environment, in one file."""
    from dlcli.runs.html_report import write_report

    with reported(verbose):
        written = write_report(path)
    out.print(f"wrote {written}")


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it to this file instead.")
    ] = None,
) -> None:
    """Print the config's JSON Schema, for editors (docs/editor-support.md)."""
    from dlcli.config.json_schema import schema_text

    text = schema_text()
    if output is None:
        print(text, end="")
        return
    with reported(False):
        from dlcli.runs.rundir import write_atomically

        write_atomically(output, text.encode("utf-8"))
    out.print(f"wrote {output}")
