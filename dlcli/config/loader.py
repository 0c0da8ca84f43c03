"""Load a YAML config: parse with positions, apply --set overrides, validate, report.

Every problem is reported at once as `FILE:LINE:COL: key.path: message`. PyYAML's
`compose()` gives each node its line and column; pydantic's error locations are
mapped back to them. Overrides are reported as `--set KEY=VALUE: key.path: message`.
Nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dlcli.config import names
from dlcli.config.layers import LAYERS
from dlcli.config.overrides import apply_overrides, list_item
from dlcli.config.schema import Config
from dlcli.config.schema_base import ValueAtKey
from dlcli.config.schema_paths import allowed_keys
from dlcli.config.yaml_positions import (
    Key,
    Origin,
    compose_with_positions,
    format_path,
    yaml_problem,
)
from dlcli.config.yaml_reader import read_yaml_text
from dlcli.errors import ConfigError, Problem


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

    def position(self, path: Key) -> str:
        """Where `path` was set: `file:line:column`, or `--set KEY=VALUE`."""
        origin = _origin_for(path, self.origins)
        if origin.override is not None:
            return f"--set {origin.override}"
        if origin.line is None:
            return self.file
        return f"{self.file}:{origin.line}:{origin.column or 1}"

    def resolved_yaml(self) -> str:
        """The config as it will run: defaults filled in, overrides applied."""
        data = self.config.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> LoadedConfig:
    """Read, override and validate a config; raise ConfigError listing every problem."""
    file = str(path)
    text = read_yaml_text(Path(path), file)
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


# --- overrides ---------------------------------------------------------------


# --- pydantic errors -> problems ----------------------------------------------


def _problems(error: ValidationError, raw: Any, origins: dict[Key, Origin], file: str):
    problems = []
    for item in error.errors(include_url=False):
        path = _data_path(item["loc"], raw)
        error = item.get("ctx", {}).get("error")
        if isinstance(error, ValueAtKey):  # a section's validator naming one key in it
            path = (*path, *error.key)
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
        if (isinstance(node, dict) and part in node) or list_item(node, part) is not None:
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


def _origin_for(path: Key, origins: dict[Key, Origin]) -> Origin:
    for length in range(len(path), -1, -1):
        origin = origins.get(tuple(path[:length]))
        if origin is not None:
            return origin
    return Origin()
