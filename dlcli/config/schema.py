"""The whole config schema, one place, every default documented beside it.

A YAML config is validated against `Config` before TensorFlow is imported. Unknown
keys are errors (`extra="forbid"`); names (activations, losses, optimizers, ...)
are checked against `dlcli.config.names` and resolved later by Keras's own registries.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from dlcli.config import names
from dlcli.config.layers import LayerItem
from dlcli.config.names import run_name_problem
from dlcli.config.schema_base import (
    Activation,
    Fraction,
    PositiveInt,
    Strict,
    mapping_from_name,
    name_in,
)

# Built-in datasets (Keras's) and the other sources; see dlcli/data.py.
KERAS_DATASETS = (
    "mnist",
    "fashion_mnist",
    "cifar10",
    "cifar100",
    "imdb",
    "reuters",
    "boston_housing",
    "california_housing",
)
OTHER_SOURCES = ("inline", "linear", "npz", "csv", "idx")
DATASETS = KERAS_DATASETS + OTHER_SOURCES


class LinearData(Strict):
    """`dataset: linear`: y = x·W + b + noise, with W and b known (written to the run)."""

    samples: PositiveInt = 200
    features: PositiveInt = 1
    outputs: PositiveInt = 1
    weights: list[list[float]] | None = None  # features×outputs; unset: drawn from N(0, 1)
    bias: list[float] | None = None  # outputs; unset: drawn from N(0, 1)
    noise: Annotated[float, Field(ge=0)] = 0.0  # stddev of Gaussian noise added to y
    x_range: tuple[float, float] = (-1.0, 1.0)  # x is drawn uniformly from this range


class DataConfig(Strict):
    dataset: Annotated[str, name_in("dataset", DATASETS)] = "mnist"
    path: str | None = None  # npz/csv file or IDX folder, relative to the config file
    target: str | None = None  # csv: the column holding y (all other columns are x)
    x: list[Any] | None = None  # inline: inputs, e.g. the four rows of a truth table
    y: list[Any] | None = None  # inline: targets
    linear: LinearData | None = None  # dataset: linear; unset: LinearData's defaults
    num_words: PositiveInt | None = None  # imdb/reuters: keep the most frequent words
    sequence_length: PositiveInt | None = None  # imdb/reuters: pad/cut sequences to this

    # Preprocessing, applied in this order.
    train_samples: PositiveInt | None = None  # keep only the first N training samples
    test_samples: PositiveInt | None = None  # keep only the first N test samples
    reshape: list[Annotated[int, Field(ge=-1)]] | None = None  # per sample, e.g. [784]
    scale: Annotated[float, Field(gt=0)] | None = None  # divide x by this (255 for images)
    standardize: bool = False  # x ← (x − mean) / std, statistics of the training split
    labels: Literal["onehot", "sparse", "raw"] = "raw"  # onehot = to_categorical
    num_classes: PositiveInt | None = None  # for onehot; unset: max label + 1

    # Validation data: a fraction held out of training, the test split, or none.
    validation: Literal["split", "test", "none"] = "split"
    validation_split: Fraction = 0.1  # with validation: split
    test_split: Fraction = 0.2  # sources without a test split hold this much out
    shuffle: bool = True  # shuffle once (with the run's seed) before splitting

    @model_validator(mode="after")
    def _source_fields(self) -> DataConfig:
        if self.dataset in ("npz", "csv", "idx") and not self.path:
            raise ValueError(f"dataset {self.dataset!r} needs `path:` (a file or folder)")
        if self.dataset == "csv" and not self.target:
            raise ValueError("dataset 'csv' needs `target:` (the column holding y)")
        if self.dataset == "inline" and (self.x is None or self.y is None):
            raise ValueError("dataset 'inline' needs both `x:` and `y:` lists")
        # Keys of another source would be silently ignored: say whose they are.
        given = {
            "path": self.path is not None,
            "target": self.target is not None,
            "x": self.x is not None,
            "y": self.y is not None,
            "num_words": self.num_words is not None,
            "sequence_length": self.sequence_length is not None,
            "linear": self.linear is not None and self.linear != LinearData(),
        }
        default = "" if "dataset" in self.model_fields_set else ", the default"
        for key, datasets in _SOURCE_KEYS.items():
            if given[key] and self.dataset not in datasets:
                quoted = [repr(d) for d in datasets]
                owners = " or ".join(
                    [", ".join(quoted[:-1]), quoted[-1]] if quoted[:-1] else quoted
                )
                raise ValueError(
                    f"`{key}:` belongs to dataset {owners}, but the dataset is "
                    f"{self.dataset!r}{default}: set `dataset:` or remove `{key}:`"
                )
        return self


# Source-specific keys of `data:` and the datasets they belong to.
_SOURCE_KEYS: dict[str, tuple[str, ...]] = {
    "path": ("npz", "csv", "idx"),
    "target": ("csv",),
    "x": ("inline",),
    "y": ("inline",),
    "num_words": ("imdb", "reuters"),
    "sequence_length": ("imdb", "reuters"),
    "linear": ("linear",),
}


class ModelConfig(Strict):
    input_shape: list[PositiveInt]  # one sample's shape, e.g. [784] or [28, 28, 1]
    activation: Activation | None = None  # default for hidden Dense/Conv layers
    layers: Annotated[list[LayerItem], Field(min_length=1)]


class OptimizerConfig(Strict):
    """`optimizer: adam` or `{name: sgd, learning_rate: 0.1, momentum: 0.9}`.

    Unset arguments take the preset's value (dlcli.config.names.OPTIMIZERS), then Keras's.
    """

    name: Annotated[str, name_in("optimizer", names.OPTIMIZERS)]
    learning_rate: Annotated[float, Field(gt=0, le=10)] | None = None  # step size
    momentum: Annotated[float, Field(ge=0, lt=1)] | None = None  # sgd, rmsprop
    nesterov: bool | None = None  # sgd: Nesterov accelerated gradient
    beta_1: Annotated[float, Field(ge=0, lt=1)] | None = None  # adam family: 1st moment decay
    beta_2: Annotated[float, Field(ge=0, lt=1)] | None = None  # adam family: 2nd moment decay
    epsilon: Annotated[float, Field(gt=0)] | None = None  # numerical stability
    amsgrad: bool | None = None  # adam, adamw
    rho: Annotated[float, Field(ge=0, lt=1)] | None = None  # rmsprop, adadelta: decay
    centered: bool | None = None  # rmsprop
    initial_accumulator_value: Annotated[float, Field(ge=0)] | None = None  # adagrad
    weight_decay: Annotated[float, Field(ge=0)] | None = None  # decoupled weight decay
    clipnorm: Annotated[float, Field(gt=0)] | None = None  # clip each gradient's norm
    clipvalue: Annotated[float, Field(gt=0)] | None = None  # clip each gradient's values
    global_clipnorm: Annotated[float, Field(gt=0)] | None = None  # clip the global norm

    @model_validator(mode="after")
    def _arguments_fit_optimizer(self) -> OptimizerConfig:
        keras_name = names.OPTIMIZERS[self.name][0]
        valid = names.OPTIMIZER_COMMON_ARGS + names.OPTIMIZER_ARGS.get(keras_name, ())
        for key in self._arguments():
            if key not in valid:
                raise ValueError(
                    f"{key!r} is not an argument of optimizer {self.name!r} "
                    f"(it takes: {', '.join(valid)})"
                )
        return self

    def _arguments(self) -> dict[str, Any]:
        return self.model_dump(exclude={"name"}, exclude_none=True)

    def keras_config(self) -> dict[str, Any]:
        """`{"class_name": ..., "config": ...}` for keras.optimizers.get."""
        keras_name, preset = names.OPTIMIZERS[self.name]
        return {"class_name": keras_name, "config": {**preset, **self._arguments()}}


class CompileConfig(Strict):
    loss: Annotated[str, name_in("loss", names.LOSSES)]
    optimizer: Annotated[OptimizerConfig, BeforeValidator(mapping_from_name)] = "rmsprop"  # type: ignore[assignment]
    metrics: list[Annotated[str, name_in("metric", names.METRICS)]] = []


class EarlyStopping(Strict):
    monitor: str = "val_loss"
    patience: Annotated[int, Field(ge=0)] = 3  # epochs without improvement before stopping
    min_delta: Annotated[float, Field(ge=0)] = 0.0
    restore_best_weights: bool = True


class ReduceLROnPlateau(Strict):
    monitor: str = "val_loss"
    factor: Annotated[float, Field(gt=0, lt=1)] = 0.1  # new_lr = lr * factor
    patience: Annotated[int, Field(ge=0)] = 2
    min_lr: Annotated[float, Field(ge=0)] = 0.0


class KeepBest(Strict):
    """Keep the weights of the best epoch (by `monitor`) in best.weights.h5."""

    monitor: str = "val_loss"


class CallbacksConfig(Strict):
    early_stopping: EarlyStopping | None = None
    reduce_lr_on_plateau: ReduceLROnPlateau | None = None
    keep_best: KeepBest | None = None


# train.diagnostics: names of extra measurements; dlcli.training.diagnostics.DIAGNOSTICS maps each
# to its callback (a test checks the two lists agree).
DIAGNOSTIC_NAMES = ("gradient_norms",)


class TrainConfig(Strict):
    epochs: PositiveInt = 5
    batch_size: PositiveInt = 32
    shuffle: bool = True  # reshuffle the training data every epoch
    device: Literal["auto", "cpu", "gpu"] = "auto"  # auto: a GPU if TensorFlow sees one
    callbacks: CallbacksConfig = CallbacksConfig()
    # Speed (dlcli/speed.py; numbers in README "Performance"). Defaults chosen by measurement.
    jit_compile: Literal["auto"] | bool = "auto"  # XLA for fit(); auto: by kind of model and
    # device as measured (training/speed_policy.py): on a CPU on for dense models from 1000
    # steps, off for convolution/recurrent/Embedding; Keras's default on a GPU; off with
    # deterministic. env.json and summary.txt record the decision and why
    steps_per_execution: PositiveInt = 32  # batches per call into TensorFlow (with XLA, one
    # compiled loop); per-batch hooks (live bar, NaN check) run every 32nd batch
    eval_batch_size: PositiveInt = 1024  # batch for validation, final evaluation and prediction
    precision: Literal["float32", "mixed_float16", "mixed_bfloat16"] = "float32"  # mixed: GPU only
    deterministic: bool = False  # true: bit-identical reruns (TensorFlow op determinism, no XLA)
    # gradient_norms: each epoch, the loss gradient's norm per layer kernel -> diagnostics.json
    diagnostics: list[Annotated[str, name_in("diagnostic", DIAGNOSTIC_NAMES)]] = []

    @model_validator(mode="after")
    def _deterministic_without_xla(self) -> TrainConfig:
        if self.deterministic and self.jit_compile is True:
            raise ValueError(
                "deterministic: true cannot be combined with jit_compile: true "
                "(XLA kernels are not deterministic); use jit_compile: auto or false"
            )
        return self


def _run_name(name: str) -> str:
    problem = run_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name


class Config(Strict):
    name: Annotated[str, AfterValidator(_run_name)] = "run"  # run-directory prefix
    description: str | None = None  # one line on what this experiment shows
    seed: Annotated[int, Field(ge=0, lt=2**32)] = (
        42  # seeds Python, NumPy and Keras: same seed, same run
    )
    data: DataConfig = DataConfig()
    model: ModelConfig
    compile: CompileConfig
    train: TrainConfig = TrainConfig()
