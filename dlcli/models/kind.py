"""The model-kind interface: everything dlcli does differently for a kind of model.

A kind (sequential, graph, gan, or one a plugin adds) is one ModelKind subclass in one
module, and one instance of it in the registry, dlcli.models.kinds.MODEL_KINDS. Every
stage that behaves differently per kind asks the registry for the config's kind,
`model_kind(cfg.model.kind)`, and calls one of the methods below: none compares the
kind's name. The defaults are those of a model trained on labels with one optimizer
(Keras's compile and fit), saved whole as model.keras, predicting from its inputs.

To add a kind: write one module with a ModelKind subclass, give it a `schema` (its
name, the `model:` keys it reads and needs and the backends it trains under, for the
config stage: dlcli.config.registries.KindSchema), override `build` and whatever
differs from the defaults, and register one instance: in kinds.py for a built-in kind,
or with `dlcli.models.kinds.register_model_kind` from anywhere else (a plugin, a test).

Keras is imported only inside the methods, so `validate` (which asks a kind for its
stacks and its size) never starts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.loader import LoadedConfig
from dlcli.config.model_schema import ModelConfig
from dlcli.config.registries import KindSchema
from dlcli.config.schema import CompileConfig, Config, TrainConfig
from dlcli.errors import ModelError, Problem, first_line
from dlcli.models.label_checks import loss_problems
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runs.space import saved_size
from dlcli.runtime.speed_policy import XlaDecision


@dataclass(frozen=True)
class Stack:
    """A straight stack of layer items, whose size is estimated before Keras starts."""

    key: str  # the model.<key> that holds the layers, for messages
    input_shape: list[int]  # one sample's shape as it enters the first layer
    layers: list  # the layer items (dlcli.config.layers)


class ModelKind:
    """One kind of model: how it is built, trained, saved, scored and used."""

    schema: KindSchema  # what the config stage knows of it, its name included
    confusion_matrix = True  # the final evaluation draws a classifier's confusion matrix

    @property
    def name(self) -> str:
        return self.schema.name

    def build(self, model_cfg: ModelConfig) -> Any:
        """The Keras model of `model:`; a ModelError with a `key` names the layer at fault."""
        raise NotImplementedError(f"model kind {self.name!r} does not say how it is built")

    def compile(self, model: Any, compile_cfg: CompileConfig, train_cfg: TrainConfig) -> None:
        """Ready `model` for fit(): one optimizer, the configured loss and metrics."""
        from dlcli.runtime.speed import compile_options

        compile_model(model, compile_cfg, **compile_options(train_cfg))

    def xla_decision(self) -> XlaDecision | None:
        """XLA for fit() when the kind decides it whatever the settings; None: the speed
        policy decides (dlcli.runtime.speed_policy)."""
        return None

    def callbacks(self, run: RunDir, model_cfg: ModelConfig) -> list:
        """Keras callbacks of the kind's own, added to fit() after dlcli's."""
        return []

    def build_optimizer_state(self, model: Any) -> None:
        """Create the optimizer's variables before a checkpoint is loaded into them: Keras
        skips, with only a warning, the saved state of an optimizer not yet built."""
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)

    def save_model(self, run: RunDir, model: Any) -> None:
        """Write model.keras, what predict, evaluate, serve and export load (the weights
        of the whole trained model are saved beside it by the trainer)."""
        run.save_with(files.MODEL_FILE, model.save, saved_size(model))  # room checked first

    def refuse_evaluation(self, run_path: Path) -> None:
        """Raise a DataError when `dlcli evaluate` cannot score a finished run of this
        kind; called before Keras starts."""

    def register_saved_layers(self) -> None:
        """Make the kind's own layers known to Keras before its model.keras is loaded in
        safe mode."""

    def generated_rows(
        self, model: Any, config: Config, inputs: list[str], run_path: Path
    ) -> list[dict[str, Any]] | None:
        """`dlcli predict` rows made from nothing but `inputs` (a GAN's samples, `inputs`
        saying how many); None: the model predicts from the inputs (dlcli.trained)."""
        return None

    def stacks(self, model_cfg: ModelConfig) -> list[Stack]:
        """The stacks whose parameters and memory `validate` estimates before Keras starts
        (dlcli.models.capacity); none: Keras counts the parameters when it builds."""
        return []

    def logged_values(self, compile_cfg: CompileConfig) -> list[str]:
        """What fit() logs each epoch (without `val_`): what a callback may monitor."""
        return ["loss", *compile_cfg.metrics]

    def fit_problems(
        self, loaded: LoadedConfig, x: np.ndarray, y: np.ndarray, num_classes: int | None
    ) -> list[Problem]:
        """Ways the config's model does not fit the data, beyond the input shape (which
        dlcli.models.checks checks for every kind): here, the loss against the labels."""
        return loss_problems(loaded, y, num_classes)

    def size_text(self, model_cfg: ModelConfig) -> str:
        """How big the model is in the kind's own terms, for `validate`."""
        return f"a {self.name} model"


def compile_model(
    model, compile_cfg: CompileConfig, jit_compile: Any = "auto", steps_per_execution: int = 1
) -> None:
    """Compile with the loss, optimizer and metrics resolved by Keras's own registries."""
    from dlcli.runtime.bootstrap import import_keras

    keras = import_keras()

    try:
        optimizer = keras.optimizers.get(compile_cfg.optimizer.keras_config())
        loss = keras.losses.get(compile_cfg.loss)
    except (ValueError, TypeError) as error:
        raise ModelError(f"compile: {first_line(error)}") from None
    # Metric names stay strings: compile() matches "accuracy" to the loss
    # (categorical, sparse or binary accuracy) as a hand-written script would.
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=list(compile_cfg.metrics),
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )
