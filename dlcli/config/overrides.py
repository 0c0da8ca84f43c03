"""`--set KEY=VALUE` overrides, applied to the raw YAML before validation.

VALUE is read as YAML (3, 0.1, true, [1, 2]); KEY is a dotted path where `[i]` or `.i`
picks a list item. Each override remembers its text, so a problem it causes is reported
as coming from `--set ...` rather than from a line of the file.
"""

from __future__ import annotations

import re
from typing import Any

from dlcli.config.schema_paths import schema_default
from dlcli.config.yaml_positions import Key, Origin, format_path
from dlcli.config.yaml_reader import ValueBudget, parse_yaml
from dlcli.errors import ConfigError, Problem

_OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w.\[\]-]*)\s*=(.*)$", re.S)


def parse_override_key(key: str) -> Key:
    """`model.layers[0].Dense.units` or `model.layers.0.Dense.units` -> a key path."""
    parts: list[str | int] = []
    for part in re.split(r"\.|(?=\[)", key):
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            parts.append(int(part[1:-1]))
        elif part.isdigit():
            parts.append(int(part))
        elif part:
            parts.append(part)
    return tuple(parts)


def apply_overrides(raw: dict[str, Any], origins: dict[Key, Origin], overrides) -> None:
    """Apply `KEY=VALUE` overrides in order; VALUE is read as YAML (3, 0.1, true, [1, 2])."""
    problems = []
    budget = ValueBudget()
    for text in overrides:
        origin = Origin(override=text)
        match = _OVERRIDE.match(text)
        if not match:
            problems.append(origin.problem("", "expected KEY=VALUE, e.g. train.epochs=3"))
            continue
        key, value_text = match.groups()
        try:  # bounded as a config file is: depth, and values shared by all --set
            value = parse_yaml(value_text, text, budget) if value_text.strip() else None
        except ConfigError as error:
            problems.append(origin.problem(key, _value_problem(error.problems[0])))
            continue
        path = parse_override_key(key)
        error = _set_path(raw, path, value)
        if error:
            problems.append(origin.problem(key, error))
            continue
        for existing in [k for k in origins if k[: len(path)] == path]:
            del origins[existing]  # the file's positions below an override no longer apply
        origins[path] = origin
    if problems:
        raise ConfigError(problems)


def _value_problem(problem: Problem) -> str:
    """A problem in a --set value as the override's own message, located in the value."""
    message = problem.message
    if message.startswith("invalid YAML: "):
        message = "value is not valid YAML: " + message.removeprefix("invalid YAML: ")
    if problem.line is None:
        return message
    where = f"line {problem.line}, " if problem.line > 1 else ""
    return f"{message} (at {where}column {problem.column} of the value)"


def _set_path(raw: dict[str, Any], path: Key, value: Any) -> str | None:
    node: Any = raw
    for depth, key in enumerate(path[:-1]):
        child = node.get(key) if isinstance(node, dict) else list_item(node, key)
        if isinstance(child, str) and isinstance(path[depth + 1], str):
            child = {"name": child}  # `optimizer: adam` + `optimizer.learning_rate=...`
        if child is None and isinstance(node, dict):
            # A section the file leaves out starts from its default: `optimizer` from
            # {name: rmsprop}, so `--set compile.optimizer.learning_rate=...` works alone.
            default = schema_default(path[: depth + 1])
            child = {"name": default} if isinstance(default, str) else {}
        if not isinstance(child, (dict, list)):
            inside = format_path(path[: depth + 1])
            return f"cannot set {format_path(path[depth + 1 :])} inside {inside}"
        node[key] = child
        node = child
    last = path[-1]
    if _has_slot(node, last):
        node[last] = value
    else:
        return f"no item {last!r} to set in {format_path(path[:-1]) or 'the config'}"
    return None


def _has_slot(node: Any, key: str | int) -> bool:
    """Can `node[key] = ...` set a config value (a mapping key, or an existing item)?"""
    if isinstance(node, dict):
        return isinstance(key, str)
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


def list_item(node: Any, key: str | int) -> Any:
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None
