"""Names a config may use, known without importing Keras.

Validation runs before TensorFlow is imported (so `dlcli validate` is instant), so
the names Keras's registries accept are listed here. The builder still resolves every
name through Keras's own `get()` functions; `tests/test_names.py` checks that each
list below agrees with the installed Keras.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from dlcli.config.limits import MAX_RUN_NAME

# keras.activations.get(name)
ACTIVATIONS = (
    "celu",
    "elu",
    "exponential",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
)

# keras.losses.get(name)
LOSSES = (
    "mse",
    "mean_squared_error",
    "mae",
    "mean_absolute_error",
    "mape",
    "mean_absolute_percentage_error",
    "msle",
    "mean_squared_logarithmic_error",
    "binary_crossentropy",
    "bce",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
    "huber",
    "log_cosh",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "kld",
    "poisson",
    "cosine_similarity",
)

# Names Keras's compile() accepts as metric strings ("accuracy" is matched to the loss).
METRICS = (
    "accuracy",
    "acc",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "mse",
    "mean_squared_error",
    "mae",
    "mean_absolute_error",
    "mape",
    "msle",
    "root_mean_squared_error",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "auc",
    "precision",
    "recall",
    "r2_score",
    "cosine_similarity",
    "hinge",
    "squared_hinge",
    "kl_divergence",
    "poisson",
    "log_cosh_error",
)

# keras.initializers.get(name)
INITIALIZERS = (
    "zeros",
    "ones",
    "constant",
    "random_uniform",
    "random_normal",
    "truncated_normal",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "identity",
    "variance_scaling",
)

# keras.regularizers.get({"class_name": name, "config": {...}})

# keras.optimizers.get({"class_name": KERAS_NAME, "config": {...}}): each name a config may
# write, the Keras optimizer it builds and the arguments that make it that preset ("momentum"
# and "nesterov" are SGD presets, as taught). Each one's default learning rate lives beside
# the schema field it fills: dlcli.config.schema.DEFAULT_LEARNING_RATES.
OPTIMIZERS: dict[str, tuple[str, dict[str, object]]] = {
    "sgd": ("sgd", {}),
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("adagrad", {}),
    "adadelta": ("adadelta", {}),
    "rmsprop": ("rmsprop", {}),
    "adam": ("adam", {}),
    "adamw": ("adamw", {}),
    "adamax": ("adamax", {}),
    "nadam": ("nadam", {}),
    "lion": ("lion", {}),
}

# Arguments every Keras optimizer takes, and those particular to each.
OPTIMIZER_COMMON_ARGS = (
    "learning_rate",
    "weight_decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
)
OPTIMIZER_ARGS: dict[str, tuple[str, ...]] = {
    "sgd": ("momentum", "nesterov"),
    "adagrad": ("initial_accumulator_value", "epsilon"),
    "adadelta": ("rho", "epsilon"),
    "rmsprop": ("rho", "momentum", "epsilon", "centered"),
    "adam": ("beta_1", "beta_2", "epsilon", "amsgrad"),
    "adamw": ("beta_1", "beta_2", "epsilon", "amsgrad"),
    "adamax": ("beta_1", "beta_2", "epsilon"),
    "nadam": ("beta_1", "beta_2", "epsilon"),
    "lion": ("beta_1", "beta_2"),
}


# Common abbreviations that difflib cannot guess from spelling alone.
ALIASES = {"lr": "learning_rate", "acc": "accuracy", "act": "activation", "bs": "batch_size"}


# Metrics (and val_ forms) where a larger value is better; for the rest (loss, mse,
# mae, ...) smaller is better. Used to rank comparisons and to keep the best epoch.
HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "r2_score", "cosine_similarity")


def higher_is_better(metric: str) -> bool:
    return any(word in metric for word in HIGHER_IS_BETTER)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest valid name to a misspelled one, if any is close enough."""
    choices = list(choices)
    if ALIASES.get(word) in choices:
        return ALIASES[word]
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def unknown_name_message(kind: str, word: object, choices: Iterable[str]) -> str:
    """`unknown optimizer 'adamm'; did you mean 'adam'? (valid: ...)`."""
    choices = list(choices)
    message = f"unknown {kind} {word!r}"
    suggestion = did_you_mean(str(word), choices)
    if suggestion is not None:
        message += f"; did you mean {suggestion!r}?"
    return f"{message} (valid: {', '.join(choices)})"


_RUN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")  # one path component, not hidden


def run_name_problem(name: str) -> str | None:
    """Why `name` cannot prefix a run directory (it must stay inside the runs dir, and
    its directory name within the 255 bytes a file name may have)."""
    if len(name) > MAX_RUN_NAME:
        return (
            f"a run name of {len(name)} characters is too long: at most {MAX_RUN_NAME} (the "
            "limit dlcli.config.limits.MAX_RUN_NAME; the run directory adds a time stamp)"
        )
    if _RUN_NAME.fullmatch(name):
        return None
    return (
        f"{name!r} cannot name a run directory: use letters, digits, '_', '-' and '.' "
        "(not first), no '/' (a run never writes outside its runs directory)"
    )
