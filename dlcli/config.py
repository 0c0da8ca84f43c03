"""Load a YAML config: parse with positions, apply --set overrides, validate, report.

Every problem is reported at once as `FILE:LINE:COL: key.path: message`. PyYAML's
`compose()` gives each node its line and column; pydantic's error locations are
mapped back to them. Overrides are reported as `--set KEY=VALUE: key.path: message`.
Nothing here imports TensorFlow.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from dlcli import names
from dlcli.errors import ConfigError, Problem
from dlcli.layers_schema import LAYERS
from dlcli.schema import Config
from dlcli.yaml_positions import Key, Origin, compose_with_positions, format_path, yaml_problem


@dataclass
class LoadedConfig:
    """A validated config, with where each of its keys came from."""

    config: Config
    file: str  # as the user named it, for messages
    raw: dict[str, Any]  # the data after overrides, before validation
    origins: dict[Key, Origin] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return Path(self.file).resolve().parent

    def problem(self, path: Key, message: str) -> Problem:
        """A Problem pointing at the YAML node (or override) behind `path`."""
        origin = _origin_for(path, self.origins)
        return origin.problem(format_path(path), message, self.file)

    def resolved_yaml(self) -> str:
        """The config as it will run: defaults filled in, overrides applied."""
        data = self.config.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> LoadedConfig:
    """Read, override and validate a config; raise ConfigError listing every problem."""
    file = str(path)
    text = _read_text(Path(path), file)
    try:
        raw, origins, duplicates = compose_with_positions(text, file)
    except yaml.YAMLError as error:
        raise ConfigError([yaml_problem(error, file)]) from None
    if raw is None:
        raise ConfigError(
            [
                Problem(
                    "",
                    "the file is empty; a config needs at least `model:` and `compile:` sections",
                    file,
                    1,
                    1,
                )
            ]
        )
    if not isinstance(raw, dict):
        raise ConfigError(
            [
                Problem(
                    "",
                    "a config is a mapping of sections (name, data, model, compile, train)",
                    file,
                    1,
                    1,
                )
            ]
        )
    apply_overrides(raw, origins, overrides)
    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        problems = duplicates + _problems(error, raw, origins, file)
        raise ConfigError(sorted(problems, key=_reading_order)) from None
    if duplicates:
        raise ConfigError(duplicates)
    loaded = LoadedConfig(config, file, raw, origins)
    if config.data.path:  # paths are relative to the config file, not the shell
        config.data.path = str((loaded.base_dir / config.data.path).resolve())
    return loaded


def _read_text(path: Path, file: str) -> str:
    if not path.exists():
        raise ConfigError([Problem("", "no such file", file)])
    if path.is_dir():
        raise ConfigError([Problem("", "is a directory; give a YAML config file", file)])
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError([Problem("", "not a text file (not UTF-8)", file)]) from None
    except OSError as error:
        raise ConfigError([Problem("", f"cannot read: {error.strerror}", file)]) from None


# --- overrides ---------------------------------------------------------------

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
    for text in overrides:
        origin = Origin(override=text)
        match = _OVERRIDE.match(text)
        if not match:
            problems.append(origin.problem("", "expected KEY=VALUE, e.g. train.epochs=3"))
            continue
        key, value_text = match.groups()
        try:
            value = yaml.safe_load(value_text) if value_text.strip() else None
        except yaml.YAMLError as error:
            problems.append(origin.problem(key, f"value is not valid YAML: {error}"))
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


def _set_path(raw: dict[str, Any], path: Key, value: Any) -> str | None:
    node: Any = raw
    for depth, key in enumerate(path[:-1]):
        child = node.get(key) if isinstance(node, dict) else _item(node, key)
        if isinstance(child, str) and isinstance(path[depth + 1], str):
            child = {"name": child}  # `optimizer: adam` + `optimizer.learning_rate=...`
        if child is None and isinstance(node, dict):
            # A section the file leaves out starts from its default: `optimizer` from
            # {name: rmsprop}, so `--set compile.optimizer.learning_rate=...` works alone.
            default = _schema_default(path[: depth + 1])
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


def _item(node: Any, key: str | int) -> Any:
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


# --- pydantic errors -> problems ----------------------------------------------


def _problems(error: ValidationError, raw: Any, origins: dict[Key, Origin], file: str):
    problems = []
    for item in error.errors(include_url=False):
        path = _data_path(item["loc"], raw)
        message = _message(item, path, raw)
        problem = _origin_for(path, origins).problem(format_path(path), message, file)
        if all(p.path != problem.path for p in problems):  # one per key (unions repeat)
            problems.append(problem)
    return problems


def _reading_order(problem: Problem) -> tuple:
    """File problems top to bottom, then the --set ones."""
    from_file = problem.line is not None
    return (not from_file, problem.line or 0, problem.column or 0)


def _data_path(loc: tuple, raw: Any) -> Key:
    """Drop pydantic's union-member and tag names from `loc`, keeping real keys."""
    path: list[str | int] = []
    node = raw
    for depth, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or _item(node, part) is not None:
            node = node[part]
        elif depth == len(loc) - 1 and isinstance(node, dict):
            pass  # a missing key: name it, though the data has no node for it
        else:
            continue  # a union member or tag name, not a key of the data
        path.append(part)
    return tuple(path)


def _message(item: dict, path: Key, raw: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        valid = allowed_keys(path[:-1])
        return names.unknown_name_message("key", path[-1], valid)
    if kind == "missing":
        return f"missing required key {path[-1]!r}"
    if kind == "unknown_layer":
        value = _value_at(raw, path)
        if isinstance(value, dict) and len(value) == 1:
            value = next(iter(value))
        if isinstance(value, str):
            return names.unknown_name_message("layer type", value, LAYERS)
        return "each layer is one mapping `Type: {arguments}`, e.g. `- Dense: {units: 64}`"
    if kind == "value_error":
        return item["msg"].removeprefix("Value error, ")
    return item["msg"][0].lower() + item["msg"][1:]


def _value_at(raw: Any, path: Key) -> Any:
    node = raw
    for part in path:
        node = node[part]
    return node


def _models_at(path: Key) -> list[type[BaseModel]]:
    """The schema models that can stand at `path` (list indices pass through)."""
    models: list[type[BaseModel]] = [Config]
    for key in path:
        if isinstance(key, int):
            continue
        found = []
        for model in models:
            info = model.model_fields.get(key)
            if info is not None:
                found.extend(_models_in(info.annotation))
        models = found
    return models


def _schema_default(path: Key) -> Any:
    """The schema's default for the key at `path`, or None."""
    for model in _models_at(path[:-1]):
        info = model.model_fields.get(path[-1])
        if info is not None and not info.is_required():
            return info.default
    return None


def allowed_keys(path: Key) -> list[str]:
    """The keys the schema allows in the mapping at `path` (for did-you-mean)."""
    models = _models_at(path)
    keys: list[str] = []
    for model in models:
        keys.extend(k for k in model.model_fields if k not in keys)
    return keys


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models inside a type annotation (through Optional, list, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _origin_for(path: Key, origins: dict[Key, Origin]) -> Origin:
    for length in range(len(path), -1, -1):
        origin = origins.get(tuple(path[:length]))
        if origin is not None:
            return origin
    return Origin()
