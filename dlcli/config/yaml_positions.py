"""YAML with positions: every key path of a document mapped to its line and column.

`yaml.compose()` keeps a start mark on every node; we walk the node tree once,
recording where each key path starts, and reject what PyYAML lets through silently
(duplicate keys). Values are built with the safe constructor: no tag can create a
Python object. Composing is bounded (dlcli.config.limits): nesting depth and the size
the document grows to once its aliases are expanded are counted node by node, so an
alias bomb or a 5,000-level nesting is refused at its line before it costs memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from dlcli.config.limits import MAX_CONFIG_DEPTH, MAX_CONFIG_VALUES
from dlcli.errors import ConfigError, Problem

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
    loader = BoundedLoader(text, file)
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


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts, while composing, each node's nesting and its size with
    aliases expanded (memoised per node, so counting costs one pass). `counted`: values
    already spent from the same budget by documents read before (several --set values)."""

    def __init__(self, text: str, file: str, counted: int = 0):
        super().__init__(text)
        self.file = file
        self.depth = 0  # nesting of the node being composed
        self.expanded = counted  # values so far, each alias counted as what it stands for
        self.sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            size, height = self.sizes.get(id(node), (None, 0))
            if size is None:
                self._refuse(event, "a YAML alias refers to the value it is inside "
                             f"(*{event.anchor} would repeat forever)")  # fmt: skip
            self._count(event, size, self.depth + height)
            return node
        self.depth += 1
        self._count(event, 1, self.depth)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        self.sizes[id(node)] = _size_and_height(node, self.sizes)
        return node

    def _count(self, event, size: int, depth: int) -> None:
        self.expanded += size
        if depth > MAX_CONFIG_DEPTH:
            self._refuse(event, f"the config nests deeper than {MAX_CONFIG_DEPTH} levels "
                         "(the limit dlcli.config.limits.MAX_CONFIG_DEPTH)")  # fmt: skip
        if self.expanded > MAX_CONFIG_VALUES:
            via = " once its YAML aliases (*name) are expanded" if size > 1 else ""
            self._refuse(event, f"the config holds more than {MAX_CONFIG_VALUES:,} values{via} "
                         "(the limit dlcli.config.limits.MAX_CONFIG_VALUES)")  # fmt: skip

    def _refuse(self, event, message: str) -> None:
        mark = event.start_mark
        raise ConfigError([Problem("", message, self.file, mark.line + 1, mark.column + 1)])


def _size_and_height(node: yaml.Node, sizes: dict[int, tuple[int, int]]) -> tuple[int, int]:
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        return 1, 1
    known = [sizes.get(id(child), (1, 1)) for child in children]
    return 1 + sum(s for s, _ in known), 1 + max((h for _, h in known), default=0)


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
