"""`dlcli schema`: the JSON Schema editors use; every example config points at it and
passes it, and every field's comment reaches it as a description."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.config import field_docs, schema_base
from dlcli.config.json_schema import COMMITTED_SCHEMA, config_schema, schema_text
from dlcli.config.layers import LAYERS
from dlcli.config.schema import Config, TrainConfig

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev dependency")

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / "configs").glob("*.yaml"))
SCHEMA_COMMENT = "# yaml-language-server: $schema=../docs/dlcli.schema.json"


def test_the_committed_schema_is_what_dlcli_schema_prints() -> None:
    committed = (REPO / COMMITTED_SCHEMA).read_text(encoding="utf-8")
    assert committed == schema_text(), (
        f"{COMMITTED_SCHEMA} is out of date: run `dlcli schema -o {COMMITTED_SCHEMA}`")
    printed = CliRunner().invoke(app, ["schema"])
    assert printed.exit_code == 0 and json.loads(printed.output) == config_schema()


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_every_example_config_points_at_the_schema_and_passes_it(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_COMMENT
    assert (config.parent / SCHEMA_COMMENT.split("=", 1)[1]).resolve() == REPO / COMMITTED_SCHEMA
    validator = jsonschema.Draft202012Validator(config_schema())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(text))]
    assert errors == []


def test_the_schema_refuses_what_dlcli_refuses() -> None:
    validator = jsonschema.Draft202012Validator(config_schema())
    base = yaml.safe_load((REPO / "configs" / "mnist_mlp.yaml").read_text())
    for broken in ({**base, "trian": {}},  # a typo'd section
                   {**base, "train": {"epochs": 0}},  # out of range
                   {**base, "model": {**base["model"], "layers": [{"Dense": {"unit": 3}}]}}):
        assert list(validator.iter_errors(broken)), broken
    epochs = config_schema()["$defs"]["TrainConfig"]["properties"]["epochs"]
    assert epochs["exclusiveMinimum"] == 0 and epochs["maximum"] == 100_000  # JSON names


def test_every_commented_field_has_its_comment_as_description() -> None:
    schema = config_schema()
    definitions = {**schema["$defs"], "Config": schema}
    models = {m.__name__: m for m in _models(Config)}
    checked = 0
    for name, model in models.items():
        comments = field_docs.field_comments(model)
        for field, comment in comments.items():
            properties = definitions.get(name, {}).get("properties", {})
            if field in properties:
                assert properties[field].get("description") == comment, (name, field)
                checked += 1
    assert checked > 60
    # A comment that runs onto the next lines is kept whole.
    jit = schema["$defs"]["TrainConfig"]["properties"]["jit_compile"]["description"]
    assert jit.startswith("XLA for fit(); auto:") and jit.endswith("the decision and why")
    assert "tensorboard" in TrainConfig.model_fields
    assert schema_base.Strict.model_config["extra"] == "forbid"


def test_every_property_has_a_description() -> None:
    schema = config_schema()
    missing = [f"{name}.{field}"
               for name, definition in [("Config", schema), *schema["$defs"].items()]
               for field, prop in definition.get("properties", {}).items()
               if not prop.get("description")]  # fmt: skip
    assert missing == [], "no comment beside these fields: " + ", ".join(missing)


# (section, field above, field below, words of the comment that belongs to the one below)
MISPLACED_BEFORE = [
    ("EarlyStopping", "monitor", "patience", "epochs without improvement"),
    ("InitializerConfig", "distribution", "seed", "the run's seed"),
    ("ScheduleConfig", "name", "decay_steps", "not epochs"),
    ("OptimizerConfig", "name", "learning_rate", "step size"),
    ("DataConfig", "num_words", "sequence_length", "pad/cut"),
    ("DataConfig", "test_samples", "reshape", "[784]"),
    ("DataConfig", "num_classes", "classes", "class names"),
    ("TrainConfig", "callbacks", None, "speed"),  # a section heading, no field's comment
    ("TrainConfig", "deterministic", "diagnostics", "gradient_norms"),
    ("TrainConfig", "tensorboard", "backend", "the library keras computes with"),
    ("TrainConfig", "backend", "distribute", "mirrored"),
    ("ModelConfig", "kind", "input_shape", "one sample's shape"),
    ("ModelConfig", "layers", "inputs", "named inputs"),
    ("ModelConfig", "outputs", "latent_dim", "noise"),
]


@pytest.mark.parametrize(("model", "above", "below", "words"), MISPLACED_BEFORE)
def test_a_comment_above_a_field_describes_that_field(model, above, below, words) -> None:
    """A comment line below a field continues that field's comment, so a note written
    above the next field described the wrong one (EarlyStopping.monitor said "epochs
    without improvement before stopping"). Each note now sits on its own field's line."""
    properties = config_schema()["$defs"][model]["properties"]
    assert words not in properties[above].get("description", "").lower()
    if below is not None:
        assert words in properties[below].get("description", "").lower()


def _models(model, seen=None) -> list:
    from dlcli.config.schema_paths import _models_in

    seen = seen if seen is not None else {}
    if model.__name__ not in seen:
        seen[model.__name__] = model
        for info in model.model_fields.values():
            for inner in _models_in(info.annotation):
                _models(inner, seen)
    for entry in LAYERS.values() if model is Config else ():
        _models(entry.arguments, seen)
    return list(seen.values())
