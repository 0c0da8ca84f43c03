"""Request inputs for runs whose data source reads them itself (text, time series).

A text run takes raw strings, encoded with the vocabulary saved in the run (never a file
path: a request must not make the server read its files); a time-series run takes
windows of the trained columns in their own units, standardised with the training
statistics. The run's source (`DataSource.request_inputs`) prepares them as
`dlcli predict` does, so the server answers what predict answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcli.errors import DataError
from dlcli.trained.inference import TrainedRun, check_input_shape


def own_inputs(trained: TrainedRun, inputs: Any) -> np.ndarray:
    """The model's input array for `inputs` (a JSON list), or a DataError saying why not."""
    if not isinstance(inputs, list) or not inputs:
        raise DataError('"inputs" must be a non-empty list of samples')
    x = trained.source.request_inputs(trained, inputs)
    check_input_shape(trained.model, x, "inputs")
    return x
