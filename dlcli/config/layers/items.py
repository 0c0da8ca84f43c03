"""A config's layer item: `- Dense: {units: 512}`, or `- Flatten` alone, validated
against the registered layer's arguments model. Made from the registry, so a registered
layer is a valid item (and is in the JSON Schema) with no further edit."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Discriminator, Field, Tag, create_model

from dlcli.config.layers.arguments import LayerArgs
from dlcli.config.layers.registry import LAYERS, LayerEntry
from dlcli.config.schema_base import Strict


def _item_model(entry: LayerEntry) -> type[Strict]:
    """A one-key model such as `{Dense: {units: 512}}`; `- Flatten` alone means no args.
    It is made at run time, so its one field's description is set here, not by a comment."""
    layer = entry.name
    about = f"{layer} layer arguments (keras.layers.{layer})"
    if not any(info.is_required() for info in entry.arguments.model_fields.values()):
        about += f"; all optional: `- {layer}` alone takes the defaults"
    field = (entry.arguments, Field(description=about))
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


_ITEMS = {name: _item_model(entry) for name, entry in LAYERS.items()}

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


def layer_entry(item: Strict) -> LayerEntry:
    """The registry entry of a validated layer item."""
    return LAYERS[layer_type(item)]
