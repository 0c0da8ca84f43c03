"""YAML with positions: every key path of a document mapped to its line and column.

`yaml.compose()` keeps a start mark on every node; we walk the node tree once,
recording where each key path starts, and reject what PyYAML lets through silently
(duplicate keys). Values are built with the safe constructor: no tag can create a
Python object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from dlcli.errors import Problem

Key = tuple  # a key path such as ("train", "epochs") or ("model", "layers", 0, "Dense")


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a position in the file, or a --set override."""

    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    override: str | None = None  # the `KEY=VALUE` text

    def problem(self, path: str, message: str, file: str | None = None) -> Problem:
        if self.override is not None:
            return Problem(path, message, f"--set {self.override}")
        return Problem(path, message, file, self.line, self.column)


def format_path(path: Key) -> str:
    """("model", "layers", 0, "Dense") -> "model.layers[0].Dense"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def compose_with_positions(text: str, file: str) -> tuple[Any, dict[Key, Origin], list[Problem]]:
    """Parse YAML safely; return the data, the origin of every key path, and the
    duplicate keys found (PyYAML would silently keep the last one)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        origins: dict[Key, Origin] = {}
        duplicates: list[Problem] = []
        _walk(node, (), origins, duplicates, file)
        return loader.construct_document(node), origins, duplicates
    finally:
        loader.dispose()


def _mark(node: yaml.Node) -> Origin:
    return Origin(node.start_mark.line + 1, node.start_mark.column + 1)


def _walk(node, path: Key, origins, duplicates, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        origins.setdefault(path, _mark(node))  # the root: where a missing section is reported
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue  # `? [a, b]` keys: the constructor refuses them with a position
            key = key_node.value
            if key in seen:
                origin = _mark(key_node)
                duplicates.append(
                    origin.problem(
                        _join(path, key), "duplicate key (it is already set above)", file
                    )
                )
            seen.add(key)
            origins[path + (key,)] = _mark(key_node)
            _walk(value_node, path + (key,), origins, duplicates, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            origins[path + (index,)] = _mark(item)
            _walk(item, path + (index,), origins, duplicates, file)


def _join(path: Key, key: Any) -> str:
    return format_path(path + (key,))


def yaml_problem(error: yaml.YAMLError, file: str) -> Problem:
    """A parse error as `FILE:LINE:COL: message`, with a hint for the usual causes."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    message = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    if context:
        message = f"{message} ({context})"
    if "\t" in message or "found character '\\t'" in message:
        message += "; YAML indents with spaces, not tabs"
    message = f"invalid YAML: {message}"
    if mark is None:
        return Problem("", message, file)
    return Problem("", message, file, mark.line + 1, mark.column + 1)
