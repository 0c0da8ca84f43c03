"""Names a config may use that a later stage can add to, each kind in one registry.

A registry maps the name a config writes to what the config stage checks about it, read
at each validation, so a name registered at run time validates like a built-in one. The
built-in names are filled in here (the JSON schema and the docs list those); a later
stage adds its own through the registering function of its kind.

`DATASETS`: each `data.dataset` name -> its `DatasetRules`. `dlcli.data.sources.
register_source` adds a data source's name and rules here and the source itself to
`dlcli.data.sources.SOURCES`; nothing else should call `register_dataset`.

`MODEL_KIND_SCHEMAS`: each `model.kind` name -> its `KindSchema` (the `model:` keys it
reads and needs, the backends it trains under, its own check). The built-in kinds are
filled in by dlcli.config.model_schema, whose graph check one of them needs;
`dlcli.models.kinds.register_model_kind` adds a kind's schema here and the kind itself to
`dlcli.models.kinds.MODEL_KINDS`; nothing else should call `register_kind_schema`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlcli.config.data_sources_schema import BUILTIN_DATASETS, DatasetRules

DATASETS: dict[str, DatasetRules] = dict(BUILTIN_DATASETS)  # in the order messages list them


def register_dataset(name: str, rules: DatasetRules) -> None:
    """Let configs name `dataset: <name>`, checked by `rules`."""
    if name in DATASETS:
        raise ValueError(f"dataset name {name!r} is taken")
    DATASETS[name] = rules


def unregister_dataset(name: str) -> None:
    """Forget a registered dataset name (not a built-in one)."""
    if name in BUILTIN_DATASETS:
        raise ValueError(f"{name!r} is a built-in dataset")
    DATASETS.pop(name, None)


def dataset_owners(key: str) -> list[str]:
    """The dataset names whose sources take the `data:` key `key`, in registry order."""
    return [name for name, rules in DATASETS.items() if key in rules.keys]


@dataclass(frozen=True)
class KindSchema:
    """A model kind as the config stage sees it (its behaviour: dlcli.models.kind)."""

    name: str  # the value of model.kind
    keys: tuple[str, ...] = ()  # the model.<key>s it reads; set under another kind: refused
    required: tuple[str, ...] = ()  # of those, the ones it cannot do without
    backends: tuple[str, ...] = ()  # the train.backend values it trains under; (): any
    backend_reason: str = ""  # why only those, as in "model.kind NAME <reason>, which ..."
    check: Callable[[Any], None] | None = None  # its own checks of the ModelConfig


MODEL_KIND_SCHEMAS: dict[str, KindSchema] = {}  # model.kind -> its schema, built-ins first


def register_kind_schema(schema: KindSchema) -> None:
    """Let configs name `model.kind: <schema.name>`, checked by `schema`."""
    if not set(schema.required) <= set(schema.keys):
        raise ValueError(f"model kind {schema.name!r}: it needs keys it does not read")
    if MODEL_KIND_SCHEMAS.get(schema.name, schema) is not schema:
        raise ValueError(f"model kind {schema.name!r} is registered already")
    MODEL_KIND_SCHEMAS[schema.name] = schema


def unregister_kind_schema(name: str) -> None:
    """Forget a registered model kind's name (dlcli.models.kinds keeps the built-ins)."""
    MODEL_KIND_SCHEMAS.pop(name, None)
