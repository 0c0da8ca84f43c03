"""The whole config schema, one place, every default documented beside it.

A YAML config is validated against `Config` before TensorFlow is imported. Unknown
keys are errors (`extra="forbid"`); names (activations, losses, optimizers, ...)
are checked against `dlcli.config.names` and resolved later by Keras's own registries.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from dlcli.config import names, registries
from dlcli.config.callbacks_schema import CallbacksConfig
from dlcli.config.data_sources_schema import (
    ImageFolderData,
    LinearData,
    TextData,
    TimeseriesData,
)
from dlcli.config.limits import (
    MAX_BATCH_SIZE,
    MAX_DIMENSION,
    MAX_EPOCHS,
    MAX_STEPS_PER_EXECUTION,
    MAX_WIDTH,
)
from dlcli.config.model_schema import ModelConfig, backend_problem
from dlcli.config.names import run_name_problem
from dlcli.config.schedules_schema import ScheduleConfig
from dlcli.config.schema_base import (
    Flag,
    Fraction,
    Integer,
    Number,
    PositiveInt,
    Strict,
    count,
    mapping_from_name,
    name_in,
)
from dlcli.config.tracking_schema import MlflowConfig, TrackingConfig

# Sections that live in their own modules, importable from here as before.
__all__ = [
    "CallbacksConfig", "Config", "DataConfig", "LinearData", "MlflowConfig", "ModelConfig",
    "TrackingConfig",
]  # fmt: skip

# The dataset names a config may use: the built-in sources' and any registered later
# (dlcli/data/sources/, dlcli/config/registries.py).
DATASETS = registries.DATASETS


class DataConfig(Strict):
    dataset: Annotated[str, name_in("dataset", DATASETS)] = "mnist"  # where x and y come from
    path: str | None = None  # npz/csv file or IDX folder, relative to the config file
    target: str | None = None  # csv: the column holding y (all other columns are x)
    x: list[Any] | None = None  # inline: inputs, e.g. the four rows of a truth table
    y: list[Any] | None = None  # inline: targets
    linear: LinearData | None = None  # dataset: linear; unset: LinearData's defaults
    num_words: count(MAX_WIDTH) | None = None  # imdb/reuters: keep the most frequent words
    sequence_length: count(MAX_DIMENSION) | None = None  # imdb/reuters: pad/cut sequences to this
    categorical: list[str] = []  # csv: columns of category names/codes, one-hot encoded
    # (categories from the training split); a missing value is an error that names its line
    timeseries: TimeseriesData | None = None  # dataset: timeseries (data_sources_schema.py)
    text: TextData | None = None  # dataset: text; unset: TextData's defaults
    image_folder: ImageFolderData | None = None  # dataset: image_folder; unset: its defaults

    # Preprocessing, applied in this order.
    train_samples: PositiveInt | None = None  # keep only the first N training samples
    test_samples: PositiveInt | None = None  # keep only the first N test samples
    reshape: list[Annotated[Integer, Field(ge=-1, le=MAX_DIMENSION)]] | None = None  # new
    # shape of x per sample, e.g. [784] (one -1 is inferred); unset: as loaded
    scale: Annotated[Number, Field(gt=0)] | None = None  # divide x by this (255 for images)
    standardize: Flag = False  # x ← (x − mean) / std, statistics of the training split
    labels: Literal["onehot", "sparse", "raw"] = "raw"  # onehot = to_categorical
    num_classes: count(MAX_WIDTH) | None = None  # for onehot; unset: max label + 1
    classes: list[Annotated[str, Field(min_length=1)]] | None = None  # class names in id
    # order, shown by predict/serve/export; unset: the built-in dataset's own names (mnist,
    # fashion_mnist, cifar10), else the ids "0", "1", ...

    # Validation data: a fraction held out of training, the test split, or none.
    validation: Literal["split", "test", "none"] = "split"  # split: validation_split of the
    # training data; test: the test split; none: no validation
    validation_split: Fraction = 0.1  # with validation: split
    test_split: Fraction = 0.2  # sources without a test split hold this much out
    shuffle: Flag = True  # shuffle once (with the run's seed) before splitting

    @model_validator(mode="after")
    def _source_fields(self) -> DataConfig:
        """The rules of the dataset's source (its `DatasetRules`), then no key of another
        source: it would be silently ignored, so the message says whose it is."""
        rules = DATASETS[self.dataset]
        if rules.needs_path and not self.path:
            raise ValueError(f"dataset {self.dataset!r} needs `path:` (a file or folder)")
        problem = rules.check(self) if rules.check else None
        if problem:
            raise ValueError(problem)
        default = "" if "dataset" in self.model_fields_set else ", the default"
        for key, given in self._source_keys_given().items():
            if given and key not in rules.keys:
                quoted = [repr(d) for d in registries.dataset_owners(key)]
                owners = " or ".join(
                    [", ".join(quoted[:-1]), quoted[-1]] if quoted[:-1] else quoted
                )
                raise ValueError(
                    f"`{key}:` belongs to dataset {owners}, but the dataset is "
                    f"{self.dataset!r}{default}: set `dataset:` or remove `{key}:`"
                )
        return self

    def _source_keys_given(self) -> dict[str, bool]:
        """Each source-specific key of `data:` (in the order they are checked): is it set?"""
        return {
            "path": self.path is not None,
            "target": self.target is not None,
            "categorical": bool(self.categorical),
            "timeseries": self.timeseries is not None,
            "text": self.text is not None,
            "image_folder": self.image_folder is not None,
            "x": self.x is not None,
            "y": self.y is not None,
            "num_words": self.num_words is not None,
            "sequence_length": self.sequence_length is not None,
            "linear": self.linear is not None and self.linear != LinearData(),
        }


# `learning_rate` when a config sets none, per optimizer name: the step size each method
# is usually taught with (its paper's: 1.0 for adadelta, 0.002 for adamax, 0.0001 for lion;
# 0.01 for SGD, its presets and adagrad; 0.001 for the rest), where Keras 3 would start
# most of them at 0.001. The one home of these numbers: keras_config() applies them, and
# docs/configuration.md lists them.
DEFAULT_LEARNING_RATES: dict[str, float] = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.01,
    "adadelta": 1.0,
    "rmsprop": 0.001,
    "adam": 0.001,
    "adamw": 0.001,
    "adamax": 0.002,
    "nadam": 0.001,
    "lion": 0.0001,
}


class OptimizerConfig(Strict):
    """`optimizer: adam` or `{name: sgd, learning_rate: 0.1, momentum: 0.9}`.

    Unset arguments take the preset's value (dlcli.config.names.OPTIMIZERS), then Keras's;
    an unset learning_rate takes DEFAULT_LEARNING_RATES[name].
    """

    name: Annotated[str, name_in("optimizer", names.OPTIMIZERS)]  # a preset, e.g. adam or sgd
    learning_rate: Annotated[Number, Field(gt=0, le=10)] | None = None  # step size; unset:
    # DEFAULT_LEARNING_RATES[name] (above); with a schedule, its starting value
    momentum: Annotated[Number, Field(ge=0, lt=1)] | None = None  # sgd, rmsprop
    nesterov: Flag | None = None  # sgd: Nesterov accelerated gradient
    beta_1: Annotated[Number, Field(ge=0, lt=1)] | None = None  # adam family: 1st moment decay
    beta_2: Annotated[Number, Field(ge=0, lt=1)] | None = None  # adam family: 2nd moment decay
    epsilon: Annotated[Number, Field(gt=0)] | None = None  # numerical stability
    amsgrad: Flag | None = None  # adam, adamw
    rho: Annotated[Number, Field(ge=0, lt=1)] | None = None  # rmsprop, adadelta: decay
    centered: Flag | None = None  # rmsprop
    initial_accumulator_value: Annotated[Number, Field(ge=0)] | None = None  # adagrad
    weight_decay: Annotated[Number, Field(ge=0)] | None = None  # decoupled weight decay
    clipnorm: Annotated[Number, Field(gt=0)] | None = None  # clip each gradient's norm
    clipvalue: Annotated[Number, Field(gt=0)] | None = None  # clip each gradient's values
    global_clipnorm: Annotated[Number, Field(gt=0)] | None = None  # clip the global norm
    schedule: ScheduleConfig | None = None  # learning rate by step (schedules_schema.py)

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
        return self.model_dump(exclude={"name", "schedule"}, exclude_none=True)

    def keras_config(self) -> dict[str, Any]:
        """`{"class_name": ..., "config": ...}` for keras.optimizers.get."""
        keras_name, preset = names.OPTIMIZERS[self.name]
        default = {"learning_rate": DEFAULT_LEARNING_RATES[self.name]}
        config = {**default, **preset, **self._arguments()}
        if self.schedule is not None:
            config["learning_rate"] = self.schedule.keras_config(config["learning_rate"])
        return {"class_name": keras_name, "config": config}


class CompileConfig(Strict):
    loss: Annotated[str, name_in("loss", names.LOSSES)]  # the loss minimised (a Keras loss name)
    optimizer: Annotated[  # a preset name, or {name: ..., learning_rate: ...}
        OptimizerConfig,
        BeforeValidator(mapping_from_name, json_schema_input_type=str | OptimizerConfig),
    ] = "rmsprop"  # type: ignore[assignment]
    metrics: list[Annotated[str, name_in("metric", names.METRICS)]] = []  # reported each epoch


# train.diagnostics: names of extra measurements; training.diagnostics.DIAGNOSTICS maps
DIAGNOSTIC_NAMES = ("gradient_norms",)  # each to its callback (a test keeps them equal)


class TrainConfig(Strict):
    epochs: count(MAX_EPOCHS) = 5  # passes over the training data
    batch_size: count(MAX_BATCH_SIZE) = 32  # samples per gradient step
    shuffle: Flag = True  # reshuffle the training data every epoch
    device: Literal["auto", "cpu", "gpu"] = "auto"  # auto: a GPU if the backend sees one
    callbacks: CallbacksConfig = CallbacksConfig()  # Keras callbacks; each is off unless set

    # Speed (dlcli/runtime/speed.py; numbers in docs/performance.md). Chosen by measurement.
    jit_compile: Literal["auto"] | Flag = "auto"  # XLA for fit(); auto: by kind of model and
    # device as measured (runtime/speed_policy.py): on a CPU, on for dense and Embedding
    # models from 1000 steps, off for convolution/recurrent; Keras's default on a GPU or JAX;
    # off with deterministic. env.json and summary.txt record the decision and why
    steps_per_execution: count(MAX_STEPS_PER_EXECUTION) = 32  # batches per call into TF (XLA: one
    # compiled loop); per-batch hooks (live bar, NaN check) run every 32nd batch
    eval_batch_size: count(MAX_BATCH_SIZE) = 1024  # validation, final evaluation, prediction
    precision: Literal["float32", "mixed_float16", "mixed_bfloat16"] = "float32"  # mixed: GPU only
    deterministic: Flag = False  # true: bit-identical reruns (TF op determinism, no XLA; JAX: CPU)
    diagnostics: list[Annotated[str, name_in("diagnostic", DIAGNOSTIC_NAMES)]] = []  # opt-in:
    # gradient_norms: each epoch, the loss gradient's norm per layer kernel -> diagnostics.json
    tensorboard: Flag = True  # TensorBoard logs in RUN/tensorboard/ (docs/tracking.md)
    backend: Literal["tensorflow", "jax"] = "tensorflow"  # the library Keras computes with
    # (docs/scaling-out.md); jax: pip install "dlcli[jax]"
    distribute: Literal["none", "mirrored"] = "none"  # none: one device; mirrored: one model
    # copy per local GPU, each batch split between them

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
    seed: Annotated[Integer, Field(ge=0, lt=2**32)] = 42  # seeds Python, NumPy and Keras:
    # same seed, same run
    data: DataConfig = DataConfig()  # the dataset and its preprocessing
    model: ModelConfig  # the network: its input shape and layers
    compile: CompileConfig  # loss, optimizer and metrics (Keras's model.compile)
    train: TrainConfig = TrainConfig()  # how fit() runs: epochs, batch size, callbacks, speed
    tracking: TrackingConfig = TrackingConfig()  # experiment trackers besides TensorBoard

    @model_validator(mode="after")
    def _backend_supports_model(self) -> Config:
        problem = backend_problem(self.model.kind, self.train.backend)
        if problem:
            raise ValueError(problem)
        return self
