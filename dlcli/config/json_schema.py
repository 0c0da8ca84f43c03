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
    schema = Config.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, "title": "dlcli config", **schema}


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"
