"""Property: whatever a config turns into, loading it either works or raises ConfigError,
and `dlcli validate` answers with a message and exit 0 or 2, never a traceback."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.config.loader import load_config
from dlcli.errors import ConfigError

VALID = yaml.safe_load(
    """\
name: fuzz
seed: 1
data: {dataset: inline, x: [[0, 0], [1, 1]], y: [0, 1], labels: sparse, validation: none}
model:
  input_shape: [2]
  activation: tanh
  layers:
    - Dense: {units: 4, kernel_regularizer: {l2: 0.01}}
    - Dropout: {rate: 0.1}
    - Dense: {units: 1, activation: sigmoid}
compile:
  loss: binary_crossentropy
  optimizer: {name: sgd, learning_rate: 0.1, momentum: 0.9}
  metrics: [accuracy]
train:
  epochs: 2
  batch_size: 2
  callbacks: {early_stopping: {patience: 1}}
"""
)

KEYS = st.sampled_from(
    ["name", "data", "model", "layers", "Dense", "units", "epochs", "optimizer", "x", "0"]
) | st.text(min_size=1, max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a nested dict/list, the root included."""
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw) -> dict:
    config = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        targets = [p for p in paths(config) if p]
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = config
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = draw(st.sampled_from(["delete", "rename", "replace", "swap_type"]))
        if action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(last)
        elif action == "swap_type":
            value = parent[last]
            parent[last] = [value] if not isinstance(value, list) else str(value)
        else:
            parent[last] = draw(VALUES)
    return config


def overrides() -> st.SearchStrategy[list[str]]:
    keys = st.sampled_from(
        [
            "train.epochs",
            "model.layers[0].Dense.units",
            "compile.optimizer.learning_rate",
            "model.layers.9",
            "data",
            "seed",
            "name",
            "compile.optimizer",
        ]
    ) | st.text(max_size=10)
    values = st.sampled_from(["3", "-1", "abc", "[1, 2", "{a: 1}", "", "null", "1e400", "~"])
    values = values | st.text(max_size=10)
    setting = st.tuples(keys, values).map(lambda kv: f"{kv[0]}={kv[1]}") | st.text(max_size=10)
    return st.lists(setting, max_size=3)


def dump(config: Any) -> str:
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=mutated(), sets=overrides())
def test_mutated_configs_load_or_raise_config_error(config: dict, sets: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.yaml"
        path.write_text(dump(config), encoding="utf-8")
        try:
            loaded = load_config(path, sets)
        except ConfigError as error:
            assert error.problems and all(str(p) for p in error.problems)
        else:  # what validated is what runs: its resolved form loads back the same
            again = Path(folder) / "resolved.yaml"
            again.write_text(loaded.resolved_yaml(), encoding="utf-8")
            assert load_config(again).resolved_yaml() == loaded.resolved_yaml()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=mutated(), sets=overrides())
def test_validate_never_shows_a_traceback(config: dict, sets: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.yaml"
        path.write_text(dump(config), encoding="utf-8")
        args = ["validate", str(path)]
        for setting in sets:
            args += ["--set", setting]
        result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert ("valid (" in result.output) == (result.exit_code == 0)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_file_is_a_config_or_a_config_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_config(path)
        except ConfigError as error:
            assert error.problems
