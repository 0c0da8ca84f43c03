"""A comparison's settings besides its config and axes, normalised once by the API
(`dlcli.api.compare`, `compare_optimizers`) and carried whole to the members."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dlcli.training.request import Output


@dataclass(frozen=True)
class ComparisonRequest:
    """How many seeds, what to aim for, where to write, who follows, how many processes."""

    seeds: int = 1
    target: str | None = None  # "METRIC=VALUE": epochs to reach it are reported
    runs_dir: Path = Path("runs")
    output: Output = field(default_factory=Output)
    observers: tuple = ()  # ComparisonObservers (dlcli.training.observers), e.g. MLflow
    processes: int = 1  # > 1: each member trains data-parallel in that many processes
