"""The config's JSON Schema (`dlcli schema`), for editors that check YAML as it is typed.

Generated from the pydantic models (dlcli.config.schema) with each field's comment as its
description (dlcli.config.field_docs). docs/dlcli.schema.json is this text, committed so
the example configs can point at it (`# yaml-language-server: $schema=...`); a test keeps
the two in sync. No TensorFlow.
"""

from __future__ import annotations

import json
from typing import Any

from dlcli.config.schema import Config

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMMITTED_SCHEMA = "docs/dlcli.schema.json"  # relative to the repository root


def config_schema() -> dict[str, Any]:
    """The JSON Schema a config file (after YAML parsing) must satisfy."""
    schema = _standard_bounds(Config.model_json_schema(mode="validation"))
    return {"$schema": SCHEMA_DIALECT, "title": "dlcli config", **schema}


# Bounds on a type with its own validator (schema_base.Integer/Number refuse true/false and
# text) come out of pydantic under their Python names, which JSON Schema ignores: renamed
# here, so editors check the same ranges `dlcli validate` does.
_BOUND_KEYWORDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum",
                   "le": "maximum"}  # fmt: skip


def _standard_bounds(node: Any) -> Any:
    if isinstance(node, list):
        return [_standard_bounds(item) for item in node]
    if not isinstance(node, dict):
        return node
    numeric = node.get("type") in ("integer", "number")
    return {
        (_BOUND_KEYWORDS[key] if numeric and key in _BOUND_KEYWORDS else key): (
            _standard_bounds(value) if key != "properties" else
            {name: _standard_bounds(sub) for name, sub in value.items()}
        )
        for key, value in node.items()
    }  # fmt: skip


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
