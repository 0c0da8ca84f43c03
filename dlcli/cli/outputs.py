"""Write predictions as they come: a file the user asked for (CSV or JSON, by extension),
JSON on stdout, and a bounded preview for the terminal.

Predictions arrive in chunks (dlcli.trained.inference.predict_chunks), each written
out and dropped, so a 3-million-row input costs the memory of one chunk here, not of
3 million row objects. The file is written beside its target under a temporary name
and renamed at the end: an interrupted prediction never leaves a file that looks whole.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from dlcli.errors import UsageError

PREVIEW_ROWS = 20  # rows shown in the terminal; all of them go to --output / --json


@dataclass
class Preview:
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first PREVIEW_ROWS
    count: int = 0  # rows predicted in all


def stream_predictions(
    chunks: Iterable[list[dict[str, Any]]],
    output: Path | None = None,
    json_stream: TextIO | None = None,
    json_head: dict[str, Any] | None = None,
) -> Preview:
    """Write every chunk to `output` (and as one JSON object to `json_stream`); keep a preview."""
    if output is not None and output.suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"--output {output}: use a .csv or .json file name")
    preview = Preview()
    sinks: list[_Sink] = []
    try:
        if output is not None:
            sinks.append(_Sink.open_file(output))
        if json_stream is not None:
            sinks.append(_Sink(json_stream, "json", head=json_head))
        for chunk in chunks:
            for sink in sinks:
                sink.write(chunk)
            preview.rows += chunk[: PREVIEW_ROWS - len(preview.rows)]
            preview.count += len(chunk)
        for sink in sinks:
            sink.finish()
    finally:
        for sink in sinks:
            sink.discard()  # a no-op after finish(); removes a half-written file otherwise
    return preview


class _Sink:
    """One destination: a CSV or JSON array written row by row."""

    def __init__(self, stream: TextIO, kind: str, head: dict[str, Any] | None = None,
                 target: Path | None = None, partial: Path | None = None):  # fmt: skip
        self.stream, self.kind, self.head = stream, kind, head
        self.target, self.partial = target, partial
        self.rows = 0
        self.writer = csv.writer(stream) if kind == "csv" else None

    @classmethod
    def open_file(cls, path: Path) -> _Sink:
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            stream = partial.open("w", encoding="utf-8", newline="")
        except OSError as error:
            raise UsageError(f"--output {path}: cannot write ({error.strerror})") from None
        kind = "json" if path.suffix.lower() == ".json" else "csv"
        return cls(stream, kind, target=path, partial=partial)

    def write(self, chunk: list[dict[str, Any]]) -> None:
        try:
            if self.kind == "csv":
                self._csv(chunk)
            else:
                self._json(chunk)
        except OSError as error:
            raise UsageError(f"--output {self.target}: cannot write ({error.strerror})") from None
        self.rows += len(chunk)

    def _csv(self, chunk: list[dict[str, Any]]) -> None:
        if self.rows == 0 and chunk:
            self.writer.writerow(_csv_header(chunk[0]))
        self.writer.writerows(_csv_row(row) for row in chunk)

    def _json(self, chunk: list[dict[str, Any]]) -> None:
        if self.rows == 0:
            head = json.dumps(self.head)[:-1] + ', "predictions": ' if self.head else ""
            self.stream.write(head + "[")
        for i, row in enumerate(chunk):
            self.stream.write(("," if self.rows + i else "") + "\n  " + json.dumps(row))

    def finish(self) -> None:
        if self.kind == "json":
            if self.rows == 0:
                self._json([])
            self.stream.write("\n]" + ("}" if self.head else "") + "\n")
        if self.partial is None:
            self.stream.flush()
            return
        try:
            self.stream.close()
            os.replace(self.partial, self.target)
        except OSError as error:
            raise UsageError(f"--output {self.target}: cannot write ({error.strerror})") from None
        self.partial = None

    def discard(self) -> None:
        if self.partial is not None:
            self.stream.close()
            self.partial.unlink(missing_ok=True)


def _csv_header(row: dict[str, Any]) -> list[str]:
    if "class" in row:
        k = len(row["top"])
        return ["input", *[f"{n}{i + 1}" for i in range(k) for n in ("class", "name", "p")]]
    return ["input", *[f"y{i}" for i in range(len(row["values"]))]]


def _csv_row(row: dict[str, Any]) -> list[Any]:
    if "class" in row:
        return [
            row["input"],
            *[
                v
                for t in row["top"]
                for v in (t["class"], t.get("class_name", ""), f"{t['probability']:.6f}")
            ],
        ]
    return [row["input"], *[f"{v:.6f}" for v in row["values"]]]
