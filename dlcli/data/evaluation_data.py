"""What `dlcli evaluate RUN --data PATH` scores a run on, read by the run's data source.

Each source reads other data of its kind with exactly the preprocessing recorded in the
run's preprocessing.json (`DataSource.evaluation_data`): nothing is fitted on the
evaluation data. Class labels map to the TRAINING class indices (`training_class_ids`:
a held-out folder with a subset of the classes is fine; a class the model never saw is
refused), time series are standardised with the training mean and std, so the metrics
are in the units of the run's own test metrics. Image folders are streamed, never
loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcli.errors import DataError


@dataclass
class EvaluationData:
    """What to score the model on: arrays, or a batched stream (then `y` is None)."""

    x: Any
    y: np.ndarray | None
    samples: int
    extra: dict[str, Any] = field(default_factory=dict)  # more facts for evaluation.json


def training_class_ids(
    found: list[str], prep: dict[str, Any], path: str, what: str
) -> np.ndarray:
    """Each found class name as its index in the training classes; an unseen one refused."""
    known = [str(name) for name in prep["class_names"]]
    unknown = sorted(set(found) - set(known))
    if unknown:
        raise DataError(
            f"{path}: {what} {', '.join(map(repr, unknown))} the model was not trained on "
            f"(its classes: {', '.join(known)})"
        )
    return np.asarray([known.index(name) for name in found], dtype=np.int64)
