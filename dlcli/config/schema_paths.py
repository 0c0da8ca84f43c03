"""What the schema allows at a key path: used by messages (did-you-mean) and `--set`.

The schema's pydantic models are walked by key, so `model.layers[0].Dense` finds the
Dense argument model and `compile.optimizer` its default.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from dlcli.config.schema import Config
from dlcli.config.yaml_positions import Key


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


def schema_default(path: Key) -> Any:
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
