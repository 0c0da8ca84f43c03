"""Does the model fit the data? Checked with numpy before TensorFlow is imported.

Keras would find most of these mismatches too, but an epoch in, with a shape error
that names neither the config key nor the fix. Here each one names both. The input shape
and the monitored values are checked for every kind; the rest is the kind's own
(ModelKind.fit_problems, e.g. dlcli.models.label_checks).
"""

from __future__ import annotations

import math

import numpy as np

from dlcli.config import names
from dlcli.config.loader import LoadedConfig
from dlcli.errors import ConfigError, Problem
from dlcli.models.kinds import model_kind


def check_fit(
    loaded: LoadedConfig, x: np.ndarray, y: np.ndarray, num_classes: int | None,
    has_validation: bool = True,
) -> None:  # fmt: skip
    """Raise ConfigError naming every way the config's model does not fit the data."""
    kind = model_kind(loaded.config.model.kind)
    problems = [
        *_input_problems(loaded, x),
        *_monitor_problems(loaded, kind.logged_values(loaded.config.compile), has_validation),
        *kind.fit_problems(loaded, x, y, num_classes),  # e.g. the loss against the labels
    ]
    if problems:
        raise ConfigError(problems)


def _input_problems(loaded: LoadedConfig, x: np.ndarray) -> list[Problem]:
    want = tuple(loaded.config.model.input_shape)
    have = tuple(x.shape[1:])
    if want == have:
        return []
    hint = ""
    if math.prod(want) == math.prod(have):
        hint = f"; add `data.reshape: {list(want)}` to reshape each sample"
    elif math.prod(have) and len(have) > 1:
        hint = f"; for a flat input use model.input_shape: [{math.prod(have)}] with data.reshape"
    return [
        loaded.problem(
            ("model", "input_shape"),
            f"the data's samples have shape {list(have)} but the model takes {list(want)}{hint}",
        )
    ]


def _monitor_problems(
    loaded: LoadedConfig, logged: list[str], has_validation: bool
) -> list[Problem]:
    """A callback watching a value that is never logged would silently do nothing."""
    callbacks = loaded.config.train.callbacks
    if has_validation:
        logged = [*logged, *(f"val_{name}" for name in logged)]
    problems = []
    for key in type(callbacks).model_fields:
        settings = getattr(callbacks, key)
        if settings is None or settings.monitor in logged:
            continue
        why = "" if has_validation or not settings.monitor.startswith("val_") else (
            " (there is no validation data: data.validation is none)")  # fmt: skip
        problems.append(
            loaded.problem(
                ("train", "callbacks", key, "monitor"),
                names.unknown_name_message(f"value to monitor{why}", settings.monitor, logged),
            )
        )
    return problems
