"""How results look on the terminal: Rich tables and listings, and plain JSON.

The CLI decides what to show; this module decides how. No TensorFlow here.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def metrics_table(console: Console, title: str, metrics: dict[str, float]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.4f}")
    console.print(table)


def predictions_table(
    console: Console, rows: list[dict[str, Any]], total: int | None = None, saved_to: Any = None
) -> None:
    """Class and probability (and the top-k) per input, or the predicted values; `rows`
    may be the first few of `total` (a preview: a terminal table of millions helps no one)."""
    total = len(rows) if total is None else total
    table = Table()
    table.add_column("input")
    if rows and "class" in rows[0]:
        top_k = len(rows[0]["top"]) > 1
        table.add_column("class", justify="right")
        table.add_column("probability", justify="right")
        if top_k:
            table.add_column("top-k")
        for row in rows:
            cells = [row["input"], _class(row), f"{row['probability']:.4f}"]
            if top_k:
                cells.append(", ".join(f"{_class(t)}: {t['probability']:.3f}" for t in row["top"]))
            table.add_row(*cells)
    else:
        table.add_column("prediction")
        for row in rows:
            table.add_row(row["input"], ", ".join(f"{v:.4f}" for v in row["values"]))
    console.print(table)
    if total > len(rows):
        where = f"all {total:,} are in {saved_to}" if saved_to else (
            "use --output FILE.csv to save them all")  # fmt: skip
        console.print(f"the first {len(rows)} of {total:,} rows; {where}", markup=False)


def _class(row: dict[str, Any]) -> str:
    """`3`, or `3 Dress` where the class has a name other than its id."""
    name = row.get("class_name")
    return str(row["class"]) if name in (None, str(row["class"])) else f"{row['class']} {name}"


def weights_listing(console: Console, layers: list[dict[str, Any]]) -> None:
    """`dlcli inspect`: per layer, each weight's shape and statistics (and values)."""
    for layer in layers:
        console.print(
            f"[bold]{escape(layer['layer'])}[/] ({layer['type']}, {layer['params']} parameters)",
            markup=True,
        )
        for weight in layer["weights"]:
            console.print(
                f"  {weight['name']}  shape {tuple(weight['shape'])}  mean {weight['mean']:.4f}"
                f"  std {weight['std']:.4f}  min {weight['min']:.4f}  max {weight['max']:.4f}",
                markup=False,  # values such as [nan, 1.0] are not Rich markup
            )
            if "values" in weight:
                console.print(f"    {weight['values']}", markup=False)


def print_json(data: dict[str, Any]) -> None:
    """One JSON object on stdout (progress went to stderr), for scripts."""
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
