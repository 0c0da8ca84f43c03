"""dlcli.config.yaml_reader: the one bounded reader, its located messages and shared budget.
(The limits themselves, through configs and --set: tests/config/test_limits.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcli.config import limits
from dlcli.config.yaml_reader import ValueBudget, parse_yaml, read_yaml_text
from dlcli.errors import ConfigError


def _refusal(text: str, budget: ValueBudget | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "where", budget)
    [problem] = caught.value.problems
    return str(problem)


def test_plain_values_only_and_no_tags() -> None:
    assert parse_yaml("a: [1, 2.5, true, x]\n", "where") == {"a": [1, 2.5, True, "x"]}
    refused = _refusal("a: !!python/object/apply:os.system [echo hi]\n")
    assert refused.startswith("where:1:4: invalid YAML: could not determine a constructor")


def test_refusals_are_located_in_the_text_they_were_found_in() -> None:
    assert _refusal("a: 1\nb: " + "[" * 100 + "]" * 100).startswith("where:2:")
    assert "MAX_CONFIG_DEPTH" in _refusal("[" * 100 + "]" * 100)
    assert _refusal("a: \x1b\n").startswith("where: invalid YAML: unacceptable character")


def test_documents_sharing_a_budget_are_counted_together() -> None:
    budget = ValueBudget()
    half = "[" + ", ".join(["0"] * (limits.MAX_CONFIG_VALUES // 2)) + "]"
    assert len(parse_yaml(half, "first", budget)) == limits.MAX_CONFIG_VALUES // 2
    assert "MAX_CONFIG_VALUES" in _refusal(half, budget)
    assert len(parse_yaml(half, "alone")) == limits.MAX_CONFIG_VALUES // 2  # its own budget


def test_a_file_is_read_no_further_than_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" + "# filler\n" * (limits.MAX_CONFIG_BYTES // 9 + 1))
    with pytest.raises(ConfigError, match="larger than 1,048,576 bytes"):
        read_yaml_text(path, "big.yaml")
    (tmp_path / "ok.yaml").write_text("a: 1\n")
    assert read_yaml_text(tmp_path / "ok.yaml", "ok.yaml") == "a: 1\n"
