"""Write predictions to a file the user asked for (CSV or JSON, by extension)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from dlcli.errors import UsageError


def write_predictions(rows: list[dict[str, Any]], path: Path) -> None:
    if path.suffix.lower() == ".json":
        text = json.dumps(rows, indent=2) + "\n"
    elif path.suffix.lower() == ".csv":
        text = _csv(rows)
    else:
        raise UsageError(f"--output {path}: use a .csv or .json file name")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--output {path}: cannot write ({error.strerror})") from None


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if rows and "class" in rows[0]:
        k = len(rows[0]["top"])
        names = ("class", "name", "p")
        writer.writerow(["input", *[f"{n}{i + 1}" for i in range(k) for n in names]])
        for row in rows:
            writer.writerow(
                [
                    row["input"],
                    *[
                        v
                        for t in row["top"]
                        for v in (t["class"], t.get("class_name", ""), f"{t['probability']:.6f}")
                    ],
                ]
            )
    else:
        width = len(rows[0]["values"]) if rows else 0
        writer.writerow(["input", *[f"y{i}" for i in range(width)]])
        for row in rows:
            writer.writerow([row["input"], *[f"{v:.6f}" for v in row["values"]]])
    return buffer.getvalue()
