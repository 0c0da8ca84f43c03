"""dlcli.config.schema_paths: what the schema allows at a key path (did-you-mean, --set)."""

from __future__ import annotations

from dlcli.config.schema_paths import allowed_keys, schema_default


def test_allowed_keys_follow_the_schema_through_lists_and_layers():
    assert allowed_keys(()) == [
        "name", "description", "seed", "data", "model", "compile", "train", "tracking"
    ]
    assert {"epochs", "batch_size", "callbacks"} <= set(allowed_keys(("train",)))
    assert "units" in allowed_keys(("model", "layers", 0, "Dense"))  # a list index passes
    assert "learning_rate" in allowed_keys(("compile", "optimizer"))
    assert allowed_keys(("train", "nothing")) == []


def test_schema_default_is_the_documented_default():
    assert schema_default(("compile", "optimizer")) == "rmsprop"
    assert schema_default(("data", "dataset")) == "mnist"
    assert schema_default(("train", "epochs")) == 5
    assert schema_default(("model", "layers")) is None  # required: no default
