"""What a program using a trained model elsewhere must know: one description, shared
by the exports' metadata.json and the server's GET /metadata.

The inputs (raw sample shape and dtype, the model's input shape), the one
preprocessing definition (the run's preprocessing.json, replayed by
`dlcli.data.preprocess.preprocess_inputs`, and described in words by the run's data
source), the CSV column names, the class names and
what the output means. Also the real test inputs an export is checked on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcli.data.sources.base import raw_input_shape
from dlcli.errors import DataError, first_line
from dlcli.trained.inference import TrainedRun

OUTPUT_KINDS = {
    "softmax": "one probability per class; the class is the largest",
    "sigmoid": "one probability, of class 1; the class is 1 at or above the threshold",
    "values": "regression values, as the model computes them",
}


def output_kind(trained: TrainedRun) -> str:
    """softmax | sigmoid | values: how to read the model's outputs."""
    if not trained.preprocessing.get("num_classes"):
        return "values"
    units = int(np.prod(trained.model.output_shape[1:]))
    return "sigmoid" if units == 1 else "softmax"


def describe(trained: TrainedRun) -> dict[str, Any]:
    """The run's model as a deployed program sees it (JSON-ready)."""
    prep = trained.preprocessing
    kind = output_kind(trained)
    model = trained.model
    return {
        "run": str(trained.run.path.resolve()),
        "name": trained.loaded.config.name,
        "inputs": {
            "raw_shape": list(raw_input_shape(trained)),  # one sample as the data holds it
            "model_shape": [int(d) for d in model.input_shape[1:]],  # after preprocessing
            "dtype": str(np.dtype(model.inputs[0].dtype)),
            "columns": prep.get("columns"),  # CSV/JSON objects: matched by these names
            "image_background": prep.get("image_background"),  # images: dark | light
        },
        "preprocessing": {
            "how": trained.source.how,  # how a raw input becomes the model's input
            **{k: v for k, v in prep.items() if k not in ("class_names", "columns")},
        },
        "output": {
            "kind": kind,
            "meaning": OUTPUT_KINDS[kind] + trained.source.output_note,
            "shape": [int(d) for d in model.output_shape[1:]],
            "class_names": prep.get("class_names"),
            "threshold": 0.5 if kind == "sigmoid" else None,
        },
    }


def check_inputs(trained: TrainedRun, count: int) -> tuple[str, np.ndarray]:
    """The first `count` real samples of the run's test split (else validation, else
    training), preprocessed: what an export's predictions are compared on."""
    from dlcli.data.pipeline import load_dataset
    from dlcli.runtime.feeding import evaluation_split

    cfg = trained.loaded.config
    try:
        dataset = load_dataset(cfg.data, cfg.seed)
    except (DataError, OSError) as error:
        raise DataError(
            f"cannot read the run's data to check the export on real inputs: {first_line(error)}"
        ) from None
    split, x, y = evaluation_split(dataset, cfg.train.eval_batch_size)
    if y is None:  # a stream of (images, labels) batches (an image folder): take enough
        return split, _first_streamed(x, count)
    return split, np.asarray(x[:count])


def _first_streamed(stream, count: int) -> np.ndarray:
    taken: list[np.ndarray] = []
    for images, _ in stream:
        taken.append(np.asarray(images))
        if sum(len(part) for part in taken) >= count:
            break
    return np.concatenate(taken)[:count]
