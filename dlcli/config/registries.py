"""Names a config may use that a later stage can add to, each kind in one registry.

A registry maps the name a config writes to what the config stage checks about it, read
at each validation, so a name registered at run time validates like a built-in one. The
built-in names are filled in here (the JSON schema and the docs list those); a later
stage adds its own through the registering function of its kind.

`DATASETS`: each `data.dataset` name -> its `DatasetRules`. `dlcli.data.sources.
register_source` adds a data source's name and rules here and the source itself to
`dlcli.data.sources.SOURCES`; nothing else should call `register_dataset`.
"""

from __future__ import annotations

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
