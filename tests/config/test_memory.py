"""dlcli.config.memory: the memory both size checks (model and data) compare with."""

from __future__ import annotations

import pytest

from dlcli.config import memory
from dlcli.errors import UsageError


def test_the_machine_s_memory_is_measured() -> None:
    assert memory.available_memory() > 0


@pytest.mark.parametrize(
    ("text", "limit"),
    [("1048576", 1_048_576), ("64K", 65_536), ("3M", 3 * 2**20), ("2GiB", 2 * 2**30),
     ("1t", 2**40)],
)  # fmt: skip
def test_dlcli_memory_limit_caps_what_is_available(monkeypatch, text: str, limit: int) -> None:
    measured = memory.available_memory()
    monkeypatch.setenv(memory.MEMORY_LIMIT_VARIABLE, text)
    assert memory.available_memory() == min(measured, limit) or limit > measured
    assert memory.available_memory() <= limit


def test_a_bad_memory_limit_is_a_usage_error(monkeypatch) -> None:
    monkeypatch.setenv(memory.MEMORY_LIMIT_VARIABLE, "lots")
    with pytest.raises(UsageError, match="DLCLI_MEMORY_LIMIT='lots': not a size"):
        memory.available_memory()


def test_a_shortfall_names_what_is_available(monkeypatch) -> None:
    monkeypatch.setenv(memory.MEMORY_LIMIT_VARIABLE, "10M")
    assert memory.memory_shortfall(9 * 2**20) is None  # within MEMORY_SHARE (90 %)
    assert memory.memory_shortfall(int(9.5 * 2**20)) == 10 * 2**20
    assert memory.size_text(10 * 2**20) == "10.0 MiB"
