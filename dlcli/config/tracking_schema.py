"""`tracking:`: experiment trackers a run is logged to (docs/tracking.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dlcli.config.schema_base import Flag, Strict


class MlflowConfig(Strict):
    """`tracking: {mlflow: {}}` (or `--mlflow`): log the run to MLflow (docs/tracking.md)."""

    uri: str | None = None  # tracking server; unset: $MLFLOW_TRACKING_URI, else the
    # embedded store RUNS_DIR/mlflow.db (SQLite, no server needed)
    experiment: str | None = None  # MLflow experiment; unset: the config's `name`
    log_model: Flag = True  # upload model.keras as an artifact (it may be large)
    timeout: Annotated[float, Field(gt=0, le=600)] = 10.0  # seconds per request to a server


class TrackingConfig(Strict):
    mlflow: MlflowConfig | None = None  # unset: no MLflow logging (unless --mlflow)
