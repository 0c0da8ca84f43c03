"""Bounded config loading: each limit refused at its line, naming the limit, quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dlcli.config import limits
from dlcli.config.loader import load_config
from dlcli.errors import ConfigError

VALID = """\
model:
  input_shape: [4]
  layers: [{Dense: {units: 3}}]
compile: {loss: mse}
"""


def _problem(tmp_path: Path, text: str) -> str:
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "c.yaml")
    [problem] = caught.value.problems
    return str(problem)


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    started = time.perf_counter()
    message = _problem(tmp_path, "\n".join(lines) + "\n" + VALID)
    assert time.perf_counter() - started < 10  # 9**10 values would take hours
    assert "c.yaml:6:" in message and "MAX_CONFIG_VALUES" in message


def test_aliases_within_the_budget_still_work(tmp_path: Path) -> None:
    text = VALID.replace("units: 3", "units: &width 3") + "description: &d text\nname: run\n"
    assert load_config(_write(tmp_path, text)).config.model.layers[0].Dense.units == 3


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    message = _problem(tmp_path, VALID + "description: &d [*d]\n")
    assert "c.yaml:5:" in message and "repeat forever" in message


def test_deep_nesting_is_refused_at_its_line(tmp_path: Path) -> None:
    depth = 5000
    message = _problem(tmp_path, VALID + "description: " + "[" * depth + "]" * depth + "\n")
    assert f"nests deeper than {limits.MAX_CONFIG_DEPTH} levels" in message
    assert "c.yaml:5:" in message


def test_deep_nesting_through_aliases_is_refused(tmp_path: Path) -> None:
    deep = "[" * 40 + "]" * 40
    text = VALID + f"a: &a {deep}\nb: &b [[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]\n"
    text += "c: [[[[[[[[[[[[[[[[[[[[[[[[[*b]]]]]]]]]]]]]]]]]]]]]]]]]\n"
    assert "MAX_CONFIG_DEPTH" in _problem(tmp_path, text)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    filler = "# " + "x" * 98 + "\n"
    text = VALID + filler * (limits.MAX_CONFIG_BYTES // len(filler) + 1)
    message = _problem(tmp_path, text)
    line = text.encode()[: limits.MAX_CONFIG_BYTES].count(b"\n") + 1  # where it is passed
    assert message.startswith(f"{tmp_path / 'c.yaml'}:{line}:1: ")
    assert "larger than 1,048,576 bytes" in message and "MAX_CONFIG_BYTES" in message


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("train: {epochs: true}", "train.epochs: input should be a valid integer, not true"),
        ("train: {epochs: '5'}", "not the text '5'"),
        ("train: {epochs: 100001}", "less than or equal to 100000"),
        ("train: {batch_size: 99999999999999999999999}", "less than or equal to 1048576"),
        ("train: {deterministic: 1}", "train.deterministic: input should be a valid boolean"),
        ("train: {shuffle: 'true'}", "train.shuffle: input should be a valid boolean"),
        ("seed: false", "seed: input should be a valid integer, not false"),
        ("compile: {loss: mse, optimizer: {name: sgd, learning_rate: true}}", "not true"),
    ],
)
def test_numbers_are_bounded_and_strict(tmp_path: Path, setting: str, fragment: str) -> None:
    text = VALID
    if setting.startswith("compile"):
        text = VALID.replace("compile: {loss: mse}\n", "")
    assert fragment in _problem(tmp_path, text + setting + "\n")


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "c.yaml").write_text(text)
    return tmp_path / "c.yaml"


# --- --set values: read by the same bounded reader as the file ------------------------

ALIAS_BOMB = "{a0: &a0 [x, x, x, x, x, x, x, x, x]" + "".join(
    f", a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)
) + "}"  # 9**10 values once expanded, in a few hundred bytes


def _override_problem(tmp_path: Path, *overrides: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, VALID), list(overrides))
    [problem] = caught.value.problems
    return str(problem)


def test_a_deeply_nested_set_value_is_refused_at_its_column(tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000  # a RecursionError when read with yaml.safe_load
    message = _override_problem(tmp_path, f"description={deep}")
    assert message.startswith(f"--set description={deep}: description: ")
    assert f"nests deeper than {limits.MAX_CONFIG_DEPTH} levels" in message
    assert "MAX_CONFIG_DEPTH" in message and "(at column 65 of the value)" in message


def test_an_alias_bomb_in_a_set_value_is_refused_before_it_expands(tmp_path: Path) -> None:
    message = _override_problem(tmp_path, f"description={ALIAS_BOMB}")
    assert "more than 200,000 values once its YAML aliases" in message
    assert "MAX_CONFIG_VALUES" in message and message.startswith("--set description=")


def test_set_values_share_one_value_budget(tmp_path: Path) -> None:
    """Each value alone is under the limit; together they are not."""
    half = "[" + ", ".join(["0"] * (limits.MAX_CONFIG_VALUES // 2)) + "]"
    alone = _override_problem(tmp_path, f"description={half}")  # a list, not a text, but
    assert "MAX_CONFIG_VALUES" not in alone  # within the limit
    message = _override_problem(tmp_path, f"a={half}", f"b={half}")
    assert message.startswith("--set b=") and "MAX_CONFIG_VALUES" in message


def test_a_bad_set_value_is_one_message_on_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dlcli.cli.app import app

    deep = "[" * 1000 + "]" * 1000
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, VALID)), "--set",
                                      f"x={deep}", "--set", f"y={ALIAS_BOMB}"])  # fmt: skip
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "MAX_CONFIG_DEPTH" in result.output and "MAX_CONFIG_VALUES" in result.output
