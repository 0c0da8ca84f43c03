"""Each layer's output shape and parameter count, from its arguments and input shape.

The formulas Keras uses, in plain Python (no TensorFlow, no numpy), so `dlcli validate`
sizes a model in milliseconds. A rule is `rule(args, *input_shapes) -> (output shape,
parameters)`; shapes are per sample (no batch axis), and only a merge layer takes more
than one. `tests/config/layers/test_registry.py` checks every registered layer's rule
against the layer Keras builds.
"""

from __future__ import annotations

import math

Shape = list[int]


def unchanged(args, shape: Shape) -> tuple[Shape, int]:
    """Dropout, Activation, LeakyReLU, augmentation: same shape, no weights."""
    return list(shape), 0


def dense(args, shape: Shape) -> tuple[Shape, int]:
    bias = args.units if args.use_bias else 0
    return [*shape[:-1], args.units], shape[-1] * args.units + bias


def convolution(args, shape: Shape) -> tuple[Shape, int]:
    """Conv1D and Conv2D: one window per output position, `filters` kernels."""
    dims = len(shape) - 1
    kernel = _per_axis(args.kernel_size, dims)
    spatial = _strided(shape[:-1], kernel, _per_axis(args.strides, dims), args.padding)
    return [*spatial, args.filters], _kernel_params(args, kernel, shape[-1])


def transposed_convolution(args, shape: Shape) -> tuple[Shape, int]:
    """Conv2DTranspose: each input pixel spreads over a window; strides upsample."""
    kernel = _per_axis(args.kernel_size, 2)
    strides = _per_axis(args.strides, 2)
    spatial = [
        size * s if args.padding == "same" else size * s + max(k - s, 0)
        for size, k, s in zip(shape[:-1], kernel, strides, strict=False)
    ]
    return [*spatial, args.filters], _kernel_params(args, kernel, shape[-1])


def pooling(args, shape: Shape) -> tuple[Shape, int]:
    """MaxPooling1D/2D, AveragePooling2D: windows over the steps or pixels, per channel."""
    dims = len(shape) - 1
    pool = _per_axis(args.pool_size, dims)
    strides = _per_axis(args.strides, dims) if args.strides else pool
    return [*_strided(shape[:-1], pool, strides, args.padding), shape[-1]], 0


def global_pooling(args, shape: Shape) -> tuple[Shape, int]:
    return [shape[-1]], 0


def upsampling(args, shape: Shape) -> tuple[Shape, int]:
    """UpSampling2D: each row and column repeated `size` times."""
    size = _per_axis(args.size, 2)
    rows_and_columns = [d * s for d, s in zip(shape[:-1], size, strict=False)]
    return [*rows_and_columns, *shape[len(rows_and_columns) :]], 0


def flatten(args, shape: Shape) -> tuple[Shape, int]:
    return [math.prod(shape)], 0


def reshape(args, shape: Shape) -> tuple[Shape, int]:
    target = list(args.target_shape)
    if -1 in target:
        known = math.prod(d for d in target if d != -1) or 1
        target = [max(1, math.prod(shape) // known) if d == -1 else d for d in target]
    return target, 0


def batch_normalization(args, shape: Shape) -> tuple[Shape, int]:
    return list(shape), 4 * shape[-1]  # gamma, beta, moving mean, moving variance


def layer_normalization(args, shape: Shape) -> tuple[Shape, int]:
    return list(shape), 2 * shape[-1]  # gamma, beta


def embedding(args, shape: Shape) -> tuple[Shape, int]:
    return [*shape, args.output_dim], args.input_dim * args.output_dim


def simple_rnn(args, shape: Shape) -> tuple[Shape, int]:
    return _recurrent(args, shape, gates=1)


def lstm(args, shape: Shape) -> tuple[Shape, int]:
    return _recurrent(args, shape, gates=4)  # input, forget, cell, output


def gru(args, shape: Shape) -> tuple[Shape, int]:
    return _recurrent(args, shape, gates=3, biases=2)  # Keras's GRU: reset_after, 2 biases


_RECURRENT = {"SimpleRNN": simple_rnn, "LSTM": lstm, "GRU": gru}


def bidirectional(args, shape: Shape) -> tuple[Shape, int]:
    """The wrapped layer twice (forwards and backwards); concat doubles the width."""
    one, params = _RECURRENT[args.layer](args, shape)
    if args.merge_mode == "concat":
        one = [*one[:-1], 2 * one[-1]]
    return one, 2 * params


def elementwise(args, first: Shape, *others: Shape) -> tuple[Shape, int]:
    """Add and Multiply: inputs of one shape, combined value by value."""
    return list(first), 0


def concatenate(args, *shapes: Shape) -> tuple[Shape, int]:
    axis = _sample_axis(-1 if args.axis is None else args.axis, len(shapes[0]))
    joined = list(shapes[0])
    joined[axis] = sum(shape[axis] for shape in shapes)
    return joined, 0


def dot(args, first: Shape, second: Shape) -> tuple[Shape, int]:
    """Dot: the two inputs multiplied and summed over one axis each; what is left of the
    first, then of the second (at least one value per sample)."""
    axes = -1 if args.axes is None else args.axes
    one, two = _sample_axis(axes, len(first)), _sample_axis(axes, len(second))
    left = [*first[:one], *first[one + 1 :], *second[:two], *second[two + 1 :]]
    return left or [1], 0


def _recurrent(args, shape: Shape, gates: int, biases: int = 1) -> tuple[Shape, int]:
    units, inputs = args.units, shape[-1]
    params = gates * units * (inputs + units) + (gates * units * biases if args.use_bias else 0)
    return ([shape[0], units] if args.return_sequences else [units]), params


def _kernel_params(args, kernel: tuple[int, ...], channels: int) -> int:
    bias = args.filters if args.use_bias else 0
    return math.prod(kernel) * channels * args.filters + bias


def _per_axis(value, dims: int) -> tuple[int, ...]:
    """`kernel_size: 3` means 3 along every axis; `[3, 2]` is per axis already."""
    return tuple(value) if isinstance(value, tuple | list) else (value,) * dims


def _strided(spatial, window, strides, padding: str) -> Shape:
    out = []
    for size, w, s in zip(spatial, window, strides, strict=False):
        span = size if padding == "same" else size - w + 1
        out.append(max(1, -(-span // s)))
    return out


def _sample_axis(axis: int, rank: int) -> int:
    """A Keras axis (counting the batch axis as 0, or from the end) as an index into a
    per-sample shape of `rank` axes."""
    return axis % (rank + 1) - 1 if axis < 0 else axis - 1
