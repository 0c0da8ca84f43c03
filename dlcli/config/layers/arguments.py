"""The arguments of each layer type a config may use: one pydantic model per Keras layer.

Each model lists the arguments dlcli passes on to the Keras layer of the same name, each
typed and documented by the comment on its line (copied into the JSON Schema). Which
layer uses which model is the registry's (registry.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dlcli.config.limits import MAX_DIMENSION, MAX_KERNEL, MAX_WIDTH
from dlcli.config.schema_base import (
    Activation,
    Flag,
    Fraction,
    Initializer,
    Integer,
    Number,
    RegularizerConfig,
    Strict,
    count,
)

Width = count(MAX_WIDTH)  # units, filters, vocabulary and embedding sizes
Size = count(MAX_KERNEL)  # kernel, stride and pool sizes

Padding = Literal["valid", "same"]
IntOrPair = Size | tuple[Size, Size]


class LayerArgs(Strict):
    name: str | None = None  # shown in summaries and `dlcli inspect`; Keras picks one if unset


class WeightedArgs(LayerArgs):
    activation: Activation | None = None  # unset: model.activation for hidden layers, else linear
    use_bias: Flag = True  # add a learned bias vector to the output
    kernel_initializer: Initializer | None = None  # unset: Keras's default (glorot_uniform)
    bias_initializer: Initializer | None = None  # unset: zeros
    kernel_regularizer: RegularizerConfig | None = None  # weight decay on this layer's kernel
    bias_regularizer: RegularizerConfig | None = None  # weight decay on the bias; unset: none


class Dense(WeightedArgs):
    units: Width  # width of the layer (number of neurons)


class Conv1D(WeightedArgs):
    filters: Width  # output channels (number of kernels)
    kernel_size: Size  # length of the convolution window, in steps
    strides: Size = 1  # steps the window moves at a time
    padding: Padding = "valid"  # valid: no padding; same: zero-pad so the output length is
    # input length / strides, rounded up


class Conv2D(WeightedArgs):
    filters: Width  # output channels (number of kernels)
    kernel_size: IntOrPair  # window size in pixels: [height, width], or one number for both
    strides: IntOrPair = 1  # pixels the window moves at a time: [down, across], or one number
    # (Conv2DTranspose: the upsampling factor)
    padding: Padding = "valid"  # valid: no padding; same: zero-pad so the output size is
    # input size / strides, rounded up (Conv2DTranspose: input size × strides)


class Pooling1D(LayerArgs):
    pool_size: Size = 2  # length of the pooling window, in steps
    strides: Size | None = None  # steps the window moves at a time; unset: pool_size
    padding: Padding = "valid"  # valid: windows inside the input only; same: pad so the
    # output length is input length / strides, rounded up


class Pooling2D(LayerArgs):
    pool_size: IntOrPair = 2  # window size: [height, width], or one number for both
    strides: IntOrPair | None = None  # pixels the window moves at a time; unset: pool_size
    padding: Padding = "valid"  # valid: windows inside the input only; same: pad so the
    # output size is input size / strides, rounded up


class Dropout(LayerArgs):
    rate: Fraction  # share of inputs set to zero at each training step


class Flatten(LayerArgs):
    pass


class Reshape(LayerArgs):
    target_shape: list[Annotated[Integer, Field(ge=-1, le=MAX_DIMENSION)]]  # output shape
    # per sample, without the batch dimension; one -1 is inferred from the size


class BatchNormalization(LayerArgs):
    momentum: Annotated[Number, Field(gt=0, lt=1)] = 0.99  # moving mean and variance (used
    # at inference) = momentum * old + (1 - momentum) * the training batch's
    epsilon: Annotated[Number, Field(gt=0)] = 0.001  # added to the variance (no division by 0)


class LayerNormalization(LayerArgs):
    epsilon: Annotated[Number, Field(gt=0)] = 0.001  # added to the variance (no division by 0)


class ActivationLayer(LayerArgs):
    activation: Activation  # the function applied, e.g. relu or softmax


class Embedding(LayerArgs):
    input_dim: Width  # vocabulary size
    output_dim: Width  # embedding width
    mask_zero: Flag = False  # true: id 0 is padding, masked out for later layers (input_dim
    # must count it)
    embeddings_initializer: Initializer | None = None  # unset: Keras's default (uniform)
    embeddings_regularizer: RegularizerConfig | None = None  # weight decay on the vectors


class Recurrent(WeightedArgs):
    units: Width  # size of the hidden state (the output width)
    return_sequences: Flag = False  # true when another recurrent layer follows
    dropout: Fraction = 0.0  # share of the inputs set to zero at each training step
    recurrent_dropout: Fraction = 0.0  # share of the hidden state set to zero at each
    # training step (LSTM and GRU then run without cuDNN on a GPU)
    recurrent_initializer: Initializer | None = None  # unset: Keras's default (orthogonal)


class GlobalPooling(LayerArgs):
    pass


class BidirectionalArgs(Recurrent):
    """`Bidirectional: {layer: LSTM, units: 32}`: the recurrent layer run forwards and
    backwards over the sequence, the two outputs merged."""

    layer: Literal["SimpleRNN", "LSTM", "GRU"] = "LSTM"  # the recurrent layer wrapped
    merge_mode: Literal["concat", "sum", "mul", "ave"] = "concat"  # how the two are combined


class Conv2DTranspose(Conv2D):
    pass  # same arguments as Conv2D; strides > 1 upsample (a DCGAN generator's step)


class UpSampling2D(LayerArgs):
    size: IntOrPair = 2  # repeat rows and columns this many times
    interpolation: Literal["nearest", "bilinear"] = "nearest"  # how the new pixels are filled


class LeakyReLU(LayerArgs):
    negative_slope: Annotated[float, Field(ge=0)] = 0.3  # slope below zero (GANs use 0.2)


class RandomFlip(LayerArgs):
    """Augmentation (training only; identity at evaluation and predict)."""

    mode: Literal["horizontal", "vertical", "horizontal_and_vertical"] = "horizontal"  # the
    # flip each image gets with probability 1/2: horizontal = left-right, vertical = upside
    # down, horizontal_and_vertical = both at once


class RandomFactor(LayerArgs):
    """RandomRotation (factor: share of a full turn), RandomZoom and RandomTranslation
    (height_factor/width_factor: share of the size); training only."""

    factor: Annotated[float, Field(ge=0, le=1)] | None = None  # RandomRotation
    height_factor: Annotated[float, Field(ge=0, le=1)] | None = None  # RandomZoom/Translation
    width_factor: Annotated[float, Field(ge=0, le=1)] | None = None  # unset: as height_factor


class Merge(LayerArgs):
    """Add / Multiply / Concatenate / Dot: combine two or more inputs (graph models)."""

    axis: int | None = None  # Concatenate: the axis joined (unset: the last)
    axes: int | None = None  # Dot: the axis summed over (unset: the last)
