"""The one bounded YAML reader: every YAML dlcli parses comes through here.

A config file (`loader`), each `--set` value (`overrides`) and a run's saved
config.yaml (`dlcli diff`) are read with the same limits (dlcli.config.limits: file
size, nesting depth, values once aliases are expanded) and refused with the same
located message, `FILE:LINE:COL: message`, before a deep nesting can exhaust Python's
stack or an alias bomb the memory. The safe constructor builds plain values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dlcli.config.limits import MAX_CONFIG_BYTES
from dlcli.config.yaml_positions import BoundedLoader, yaml_problem
from dlcli.errors import ConfigError, Problem


@dataclass
class ValueBudget:
    """Values spent so far by documents that share one MAX_CONFIG_VALUES budget (the
    --set values of one command: each alone under the limit is not enough)."""

    spent: int = 0


def parse_yaml(text: str, file: str, budget: ValueBudget | None = None) -> Any:
    """One YAML document as plain values, bounded; a ConfigError located in `file`."""
    loader = None
    try:  # the loader's constructor already refuses unprintable characters
        loader = BoundedLoader(text, file, budget.spent if budget else 0)
        return loader.get_single_data()
    except yaml.YAMLError as error:
        raise ConfigError([yaml_problem(error, file)]) from None
    finally:
        if loader is not None:
            if budget is not None:
                budget.spent = loader.expanded
            loader.dispose()


def read_yaml_text(path: Path, file: str) -> str:
    """The text of a YAML file, refused unread past MAX_CONFIG_BYTES (at the line where
    the limit is passed), if missing, a directory or not UTF-8."""
    if not path.exists():
        raise ConfigError([Problem("", "no such file", file)])
    if path.is_dir():
        raise ConfigError([Problem("", "is a directory; give a YAML config file", file)])
    try:
        with path.open("rb") as handle:  # read no more than the limit allows
            data = handle.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            line = data[:MAX_CONFIG_BYTES].count(b"\n") + 1
            raise ConfigError([Problem(
                "", f"the file is larger than {MAX_CONFIG_BYTES:,} bytes (1 MiB, the limit "
                "dlcli.config.limits.MAX_CONFIG_BYTES); the limit is passed on this line; "
                "keep large data in a data file (dataset: npz or csv)", file, line, 1,
            )])  # fmt: skip
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError([Problem("", "not a text file (not UTF-8)", file)]) from None
    except OSError as error:
        raise ConfigError([Problem("", f"cannot read: {error.strerror}", file)]) from None
