"""The layer types a config may use: one pydantic model of arguments per Keras layer.

This dict is the allow-list: a config names a key of `LAYERS` and never a Python
path, so it cannot import an arbitrary class (no `Lambda`, no `module.Class`). Each
model lists the arguments dlcli passes on to the Keras layer of the same name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Discriminator, Field, Tag, create_model

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


# Config name -> (argument model, Keras class name in keras.layers).
LAYERS: dict[str, tuple[type[LayerArgs], str]] = {
    "Dense": (Dense, "Dense"),
    "Dropout": (Dropout, "Dropout"),
    "Flatten": (Flatten, "Flatten"),
    "Reshape": (Reshape, "Reshape"),
    "Conv1D": (Conv1D, "Conv1D"),
    "Conv2D": (Conv2D, "Conv2D"),
    "MaxPooling1D": (Pooling1D, "MaxPooling1D"),
    "MaxPooling2D": (Pooling2D, "MaxPooling2D"),
    "AveragePooling2D": (Pooling2D, "AveragePooling2D"),
    "BatchNormalization": (BatchNormalization, "BatchNormalization"),
    "LayerNormalization": (LayerNormalization, "LayerNormalization"),
    "Activation": (ActivationLayer, "Activation"),
    "Embedding": (Embedding, "Embedding"),
    "SimpleRNN": (Recurrent, "SimpleRNN"),
    "LSTM": (Recurrent, "LSTM"),
    "GRU": (Recurrent, "GRU"),
    "GlobalAveragePooling1D": (GlobalPooling, "GlobalAveragePooling1D"),
    "GlobalAveragePooling2D": (GlobalPooling, "GlobalAveragePooling2D"),
    "Bidirectional": (BidirectionalArgs, "Bidirectional"),
    "Conv2DTranspose": (Conv2DTranspose, "Conv2DTranspose"),
    "UpSampling2D": (UpSampling2D, "UpSampling2D"),
    "LeakyReLU": (LeakyReLU, "LeakyReLU"),
    "RandomFlip": (RandomFlip, "RandomFlip"),
    "RandomRotation": (RandomFactor, "RandomRotation"),
    "RandomZoom": (RandomFactor, "RandomZoom"),
    "RandomTranslation": (RandomFactor, "RandomTranslation"),
    "Add": (Merge, "Add"),
    "Multiply": (Merge, "Multiply"),
    "Concatenate": (Merge, "Concatenate"),
    "Dot": (Merge, "Dot"),
}

# Layers that combine several inputs: only a graph node with two or more inputs uses them.
MERGE_LAYERS = ("Add", "Multiply", "Concatenate", "Dot")

# Layers whose `activation` falls back to `model.activation` when they are hidden.
TAKES_DEFAULT_ACTIVATION = ("Dense", "Conv1D", "Conv2D", "Conv2DTranspose")


def _item_model(layer: str, args: type[LayerArgs]) -> type[Strict]:
    """A one-key model such as `{Dense: {units: 512}}`; `- Flatten` alone means no args.
    It is made at run time, so its one field's description is set here, not by a comment."""
    about = f"{layer} layer arguments (keras.layers.{LAYERS[layer][1]})"
    if not any(info.is_required() for info in args.model_fields.values()):
        about += f"; all optional: `- {layer}` alone takes the defaults"
    field = (args, Field(description=about))
    return create_model(f"{layer}Item", __base__=Strict, **{layer: field})


def _layer_tag(value: Any) -> str | None:
    if isinstance(value, Strict):  # serializing a validated item
        return layer_type(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value))
    return None


def _bare_name(value: Any) -> Any:
    """`- Flatten` is short for `- Flatten: {}`; `- Dense:` (null) also means no args."""
    if isinstance(value, str):
        return {value: {}}
    if isinstance(value, dict) and len(value) == 1:
        key, args = next(iter(value.items()))
        if args is None:
            return {key: {}}
    return value


_ITEMS = {name: _item_model(name, args) for name, (args, _) in LAYERS.items()}

_ITEM_UNION = Union[tuple(Annotated[m, Tag(n)] for n, m in _ITEMS.items())]  # noqa: UP007
LayerItem = Annotated[
    _ITEM_UNION,
    Discriminator(
        _layer_tag,
        custom_error_type="unknown_layer",
        custom_error_message="each layer is one mapping `Type: {args}`",
    ),
    # In the JSON Schema (editors), a bare layer name is also a layer: `- Flatten`.
    BeforeValidator(_bare_name, json_schema_input_type=_ITEM_UNION | Literal[tuple(LAYERS)]),
]


def layer_type(item: Strict) -> str:
    """The config name of a validated layer item (its only field)."""
    return next(iter(type(item).model_fields))


def layer_args(item: Strict) -> LayerArgs:
    return getattr(item, layer_type(item))
