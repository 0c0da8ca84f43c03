"""Will the model fit in memory? Parameters and training memory from the config alone.

Each layer's output shape and parameter count follow from the one before, by its rule in
the layer registry (dlcli/config/layers/shapes.py: the formulas Keras uses, in plain
Python): no TensorFlow, no numpy, so `dlcli validate` can refuse a model of a trillion
weights in milliseconds instead of `train` dying in TensorFlow's allocator. The estimate
is a floor, not a promise: weights, their gradients, the optimizer's slots and one batch
of activations, in float32. A model kind says which stacks of layers it has
(ModelKind.stacks: one for `sequential`, two for `gan`); a kind with none (a `graph`) is
counted by Keras when it builds.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dlcli.config.layers import layer_args, layer_entry, layer_type
from dlcli.config.loader import LoadedConfig
from dlcli.config.memory import memory_shortfall, size_text
from dlcli.config.schema import Config
from dlcli.errors import ConfigError, TrainingError, first_line
from dlcli.models.kind import Stack
from dlcli.models.kinds import model_kind

FLOAT_BYTES = 4
# Per-weight state each Keras optimizer keeps (momentums, velocities, accumulators).
OPTIMIZER_SLOTS = {"sgd": 1, "adagrad": 1, "rmsprop": 2, "lion": 1, "adadelta": 2}  # others 2


@dataclass
class Estimate:
    params: int = 0
    activations: int = 0  # values per sample over all layer outputs
    layer_params: list[int] = field(default_factory=list)
    bytes: int = 0  # training memory, filled in by estimate()


def estimate(config: Config) -> Estimate:
    """Parameter count and training memory of the configured model."""
    result = Estimate()
    for stack in model_kind(config.model.kind).stacks(config.model):
        shape = stack.input_shape
        for item in stack.layers:
            shape, params = layer_entry(item).output(layer_args(item), shape)
            result.params += params
            result.layer_params.append(params)
            result.activations += math.prod(shape) if shape else 0
    keras_name = config.compile.optimizer.keras_config()["class_name"]
    slots = OPTIMIZER_SLOTS.get(keras_name, 2)
    train = config.train
    batch = max(2 * train.batch_size, train.eval_batch_size)  # forward + backward values
    values = result.params * (2 + slots) + result.activations * batch  # weights, gradients
    result.bytes = values * FLOAT_BYTES
    return result


def check_capacity(loaded: LoadedConfig) -> Estimate:
    """Refuse a model whose training memory cannot fit in the memory available now."""
    found = estimate(loaded.config)
    available = memory_shortfall(found.bytes)
    if available is None:
        return found
    biggest = max(range(len(found.layer_params)), key=found.layer_params.__getitem__)
    stacks = model_kind(loaded.config.model.kind).stacks(loaded.config.model)
    key, index, item = _layer_at(stacks, biggest)
    raise ConfigError(
        [
            loaded.problem(
                ("model", key, index, layer_type(item)),
                f"the model has {found.params:,} parameters ({found.layer_params[biggest]:,} "
                f"in this layer); training needs at least {size_text(found.bytes)} (weights, "
                f"gradients, optimizer state, one batch) but this machine has "
                f"{size_text(available)} available; make the model smaller",
            )
        ]
    )


def _layer_at(stacks: list[Stack], position: int) -> tuple[str, int, Any]:
    """The model.<key>, index and item of the layer at `position` over all the stacks."""
    for stack in stacks:
        if position < len(stack.layers):
            return stack.key, position, stack.layers[position]
        position -= len(stack.layers)
    raise IndexError(position)


@contextlib.contextmanager
def out_of_memory_reported() -> Iterator[None]:
    """Out of memory (building or training) is a message, never a traceback."""
    try:
        yield
    except BaseException as error:
        if is_out_of_memory(error):
            raise TrainingError(out_of_memory_message(error)) from None
        raise


def is_out_of_memory(error: BaseException) -> bool:
    # By name: TensorFlow's ResourceExhaustedError, without importing TensorFlow here.
    return isinstance(error, MemoryError) or type(error).__name__ == "ResourceExhaustedError"


def out_of_memory_message(error: BaseException) -> str:
    detail = first_line(error) or type(error).__name__
    return (
        f"out of memory ({detail[:200]}); use a smaller train.batch_size or "
        "train.eval_batch_size, or a smaller model (dlcli validate estimates its memory)"
    )
