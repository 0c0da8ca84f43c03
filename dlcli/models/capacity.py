"""Will the model fit in memory? Parameters and training memory from the config alone.

Each layer's output shape and parameter count follow from the one before (the same
formulas Keras uses), in plain Python: no TensorFlow, no numpy, so `dlcli validate`
can refuse a model of a trillion weights in milliseconds instead of `train` dying in
TensorFlow's allocator. The estimate is a floor, not a promise: weights, their
gradients, the optimizer's slots and one batch of activations, in float32.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dlcli.config.layers import layer_args, layer_type
from dlcli.config.limits import MEMORY_SHARE
from dlcli.config.loader import LoadedConfig
from dlcli.config.schema import Config
from dlcli.errors import ConfigError, TrainingError, first_line

FLOAT_BYTES = 4
# Per-weight state each Keras optimizer keeps (momentums, velocities, accumulators).
OPTIMIZER_SLOTS = {"sgd": 1, "adagrad": 1, "rmsprop": 2, "lion": 1, "adadelta": 2}  # others 2


@dataclass
class Estimate:
    params: int = 0
    activations: int = 0  # values per sample over all layer outputs
    layer_params: list[int] = field(default_factory=list)
    bytes: int = 0  # training memory, filled in by estimate()


def _stacks(model) -> list[tuple[list[int], list]]:
    """(input shape, layers) of each straight stack of the model: one for `sequential`,
    the generator's and the discriminator's for `gan`, none for a `graph` (not estimated:
    Keras counts its parameters when it builds it)."""
    if model.kind == "sequential":
        return [(list(model.input_shape), model.layers)]
    if model.kind == "gan":
        return [([model.latent_dim], model.generator),
                (list(model.input_shape), model.discriminator)]  # fmt: skip
    return []


def estimate(config: Config) -> Estimate:
    """Parameter count and training memory of the configured model."""
    result = Estimate()
    for shape, layers in _stacks(config.model):
        for item in layers:
            shape, params = _layer(layer_type(item), layer_args(item), shape)
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
    available = available_memory()
    if available is None or found.bytes <= MEMORY_SHARE * available:
        return found
    biggest = max(range(len(found.layer_params)), key=found.layer_params.__getitem__)
    model = loaded.config.model
    key, layers = ("layers", model.layers) if model.kind == "sequential" else (
        ("generator", model.generator) if biggest < len(model.generator) else
        ("discriminator", model.discriminator))  # fmt: skip
    index = biggest if key != "discriminator" else biggest - len(model.generator)
    item = layers[index]
    raise ConfigError(
        [
            loaded.problem(
                ("model", key, index, layer_type(item)),
                f"the model has {found.params:,} parameters ({found.layer_params[biggest]:,} "
                f"in this layer); training needs at least {_size(found.bytes)} (weights, "
                f"gradients, optimizer state, one batch) but this machine has "
                f"{_size(available)} available; make the model smaller",
            )
        ]
    )


def available_memory() -> int | None:
    """Bytes this process may still use: MemAvailable, capped by a cgroup limit."""
    found = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit() and found is not None:
            found = min(found, int(limit))
    except OSError:
        pass
    return found


def _size(n: int) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n / 1024:.1f} KiB"


def _layer(kind: str, args, shape: list[int]) -> tuple[list[int], int]:
    """(output shape, parameters) of one layer on an input of `shape` (no batch axis)."""
    last = shape[-1] if shape else 1
    if kind == "Dense":
        bias = args.units if args.use_bias else 0
        return [*shape[:-1], args.units], last * args.units + bias
    if kind in ("Conv1D", "Conv2D"):
        dims = 1 if kind == "Conv1D" else 2
        kernel = _pair(args.kernel_size, dims)
        spatial = _strided(shape[:-1], kernel, _pair(args.strides, dims), args.padding)
        bias = args.filters if args.use_bias else 0
        return [*spatial, args.filters], math.prod(kernel) * last * args.filters + bias
    if kind in ("MaxPooling1D", "MaxPooling2D", "AveragePooling2D"):
        dims = 1 if kind.endswith("1D") else 2
        pool = _pair(args.pool_size, dims)
        strides = _pair(args.strides, dims) if args.strides else pool
        return [*_strided(shape[:-1], pool, strides, args.padding), last], 0
    if kind == "Flatten":
        return [math.prod(shape)], 0
    if kind == "Reshape":
        return _reshape(shape, list(args.target_shape)), 0
    if kind == "BatchNormalization":
        return shape, 4 * last
    if kind == "LayerNormalization":
        return shape, 2 * last
    if kind == "Embedding":
        return [*shape, args.output_dim], args.input_dim * args.output_dim
    if kind in ("SimpleRNN", "LSTM", "GRU"):
        return _recurrent(kind, args, shape)
    if kind.startswith("GlobalAveragePooling"):
        return [last], 0
    return shape, 0  # Dropout, Activation: same shape, no weights


def _recurrent(kind: str, args, shape: list[int]) -> tuple[list[int], int]:
    units, inputs = args.units, shape[-1] if shape else 1
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    biases = 2 if kind == "GRU" else 1  # Keras's GRU keeps two biases (reset_after)
    params = gates * units * (inputs + units + biases)
    steps = shape[0] if len(shape) > 1 else 1
    return ([steps, units] if args.return_sequences else [units]), params


def _pair(value, dims: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,) * dims


def _strided(spatial, window, strides, padding: str) -> list[int]:
    out = []
    for size, w, s in zip(spatial, window, strides, strict=False):
        span = size if padding == "same" else size - w + 1
        out.append(max(1, -(-span // s)))
    return out


def _reshape(shape: list[int], target: list[int]) -> list[int]:
    if -1 in target:
        known = math.prod(d for d in target if d != -1) or 1
        target = [max(1, math.prod(shape) // known) if d == -1 else d for d in target]
    return target


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
