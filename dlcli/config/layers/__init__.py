"""The layer types a config may use, one registry entry each (registry.py says what an
entry holds and how to add a layer): their argument models (arguments.py), their shape
and parameter rules (shapes.py), their build rules (building.py) and the config's layer
item made from them (items.py). Plain Python and pydantic: nothing here imports Keras.
"""

from dlcli.config.layers.arguments import LayerArgs
from dlcli.config.layers.items import LayerItem, layer_args, layer_entry, layer_type
from dlcli.config.layers.registry import LAYERS, LayerEntry, LayerExample

__all__ = [
    "LAYERS",
    "LayerArgs",
    "LayerEntry",
    "LayerExample",
    "LayerItem",
    "layer_args",
    "layer_entry",
    "layer_type",
]
