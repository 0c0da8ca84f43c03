"""What a program using a trained model elsewhere must know: one description, shared
by the exports' metadata.json and the server's GET /metadata.

The inputs (raw sample shape and dtype, the model's input shape), the one
preprocessing definition (the run's preprocessing.json, replayed by
`dlcli.data.preprocess.preprocess_inputs`), the CSV column names, the class names and
what the output means. Also the real test inputs an export is checked on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcli.errors import DataError, first_line
from dlcli.trained.inference import TrainedRun
from dlcli.trained.prediction import raw_input_shape

# How a raw input becomes the model's input, per kind of preprocessing (the keys of
# preprocessing.json it names are in the same "preprocessing" object).
HOW = {
    None: "x -> reshape(model_shape) -> float32 -> x / scale -> (x - mean) / std "
    "(each step only where set); dlcli.data.preprocess.preprocess_inputs",
    "text": "text -> lower case, punctuation removed (Keras TextVectorization, "
    "'lower_and_strip_punctuation') -> split into words (level: word) or characters -> "
    "each token's index in vocabulary.json, which lies beside this file (0: padding, "
    "1: unknown) -> padded with 0 or cut to sequence_length; encoding onehot: then one "
    "vocabulary_size-wide 0/1 vector per token, all 0 for padding",
    "timeseries": "the last `window` rows of `columns`, in their own units -> column i: "
    "(x - mean[i]) / std[i] -> float32. The output is standardised: output * target_std "
    "+ target_mean is `target`, `horizon` steps after the window",
    "image_folder": "image file -> decoded with 1 (grayscale) or 3 (rgb) channels -> "
    "resized bilinearly to model_shape's height and width (resize: true; otherwise it "
    "must already be that size) -> float32 -> x / scale",
}

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
            "how": HOW[prep.get("kind") if prep.get("kind") in HOW else None],
            **{k: v for k, v in prep.items() if k not in ("class_names", "columns")},
        },
        "output": {
            "kind": kind,
            "meaning": OUTPUT_KINDS[kind]
            + ("; standardised, see preprocessing.how" if prep.get("kind") == "timeseries" else ""),
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
