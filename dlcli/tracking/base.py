"""The tracker interface and the one place trackers are chosen from a config.

A tracker is a `dlcli.training.observers.ComparisonObserver`: it follows a run (on_start,
on_epoch, on_end) and, in a comparison, hands out one follower per member. A new tracker
is one new module in this package plus one line in `trackers_for`.
"""

from __future__ import annotations

from pathlib import Path

from dlcli.config.loader import LoadedConfig, load_config
from dlcli.config.schema import MlflowConfig
from dlcli.errors import ConfigError, RunDirError, UsageError
from dlcli.training.observers import ComparisonObserver, RunObserver

Tracker = ComparisonObserver

__all__ = ["RunObserver", "Tracker", "trackers_for"]


def trackers_for(loaded: LoadedConfig, runs_dir: str | Path, mlflow: bool = False) -> list[Tracker]:
    """The trackers a run asks for: `tracking.mlflow` in its config, or `mlflow=True`
    (the --mlflow option) with the defaults. Checked before anything trains."""
    settings = loaded.config.tracking.mlflow
    if settings is None and not mlflow:
        return []
    try:
        import mlflow as _  # noqa: F401 - only to say clearly that it is missing
    except ImportError:
        raise UsageError(
            "MLflow tracking (tracking.mlflow or --mlflow) needs the mlflow package: "
            "pip install 'dlcli[mlflow]'"
        ) from None
    from dlcli.tracking.mlflow import MlflowTracker

    return [MlflowTracker(settings or MlflowConfig(), Path(runs_dir), loaded.config.name)]


def trackers_from_config(
    config: str | Path | LoadedConfig, overrides: list[str], runs_dir, mlflow: bool
) -> list[Tracker]:
    """The trackers the config (tracking:) or --mlflow asks for; a config that does not
    load is left for the command itself to report."""
    try:
        loaded = config if isinstance(config, LoadedConfig) else load_config(config, overrides)
    except (ConfigError, RunDirError, UsageError):
        return []
    return trackers_for(loaded, runs_dir, mlflow)
