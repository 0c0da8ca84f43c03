"""Each layer's build rule: the keyword arguments dlcli made from the config -> those of
`keras.layers.<Name>`, where they differ (layers sharing one argument model, a wrapper).

A rule is `rule(kwargs, keras_layers) -> kwargs`. Keras is handed in as `keras_layers`
by the builder (models/stack.py), so nothing here imports it. A ValueError or TypeError
raised here is reported as Keras rejecting the layer, with its key path.
"""

from __future__ import annotations

from typing import Any

Kwargs = dict[str, Any]


def unchanged(kwargs: Kwargs, keras_layers) -> Kwargs:
    """The config's arguments are the Keras layer's."""
    return kwargs


def elementwise(kwargs: Kwargs, keras_layers) -> Kwargs:
    """Add and Multiply share the merge arguments but take neither axis nor axes."""
    kwargs.pop("axis", None)
    kwargs.pop("axes", None)
    return kwargs


def concatenate(kwargs: Kwargs, keras_layers) -> Kwargs:
    kwargs.pop("axes", None)
    return kwargs


def dot(kwargs: Kwargs, keras_layers) -> Kwargs:
    kwargs.pop("axis", None)
    kwargs.setdefault("axes", -1)  # Keras requires axes; the schema's default is the last
    return kwargs


def random_rotation(kwargs: Kwargs, keras_layers) -> Kwargs:
    if "height_factor" in kwargs or "width_factor" in kwargs:
        raise ValueError("RandomRotation takes factor (a share of a full turn)")
    return kwargs


def random_zoom(kwargs: Kwargs, keras_layers) -> Kwargs:
    return _height_and_width("RandomZoom", kwargs)


def random_translation(kwargs: Kwargs, keras_layers) -> Kwargs:
    return _height_and_width("RandomTranslation", kwargs)


def _height_and_width(kind: str, kwargs: Kwargs) -> Kwargs:
    """height_factor (default 0.1) and width_factor (default: as height_factor), never
    factor (RandomRotation's)."""
    if "factor" in kwargs:
        raise ValueError(f"{kind} takes height_factor (and width_factor), not factor")
    kwargs.setdefault("height_factor", 0.1)
    kwargs.setdefault("width_factor", kwargs["height_factor"])  # the schema's default
    return kwargs


def bidirectional(kwargs: Kwargs, keras_layers) -> Kwargs:
    """The wrapped recurrent layer is built from the other arguments; the wrapper takes
    only it, merge_mode and the name."""
    inner, merge_mode = kwargs.pop("layer"), kwargs.pop("merge_mode")
    name = kwargs.pop("name", None)
    wrapped = getattr(keras_layers, inner)(**kwargs)
    return {"layer": wrapped, "merge_mode": merge_mode, "name": name}
