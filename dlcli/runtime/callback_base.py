"""A base for dlcli's Keras callbacks that does not import Keras when its module is.

A class deriving from `KerasCallback` is written like any Keras callback (`self.model`,
`self.params`, the `on_*` hooks, `super().__init__()`); creating an instance gives an
instance of the same class rebuilt once on `keras.callbacks.Callback`, on the backend the
runner chose by then. So the modules that define callbacks can be imported (by the
architecture tests, `--help`, docs tools) without starting Keras, and Keras's own
`Callback.model` (which syncs JAX state) is the one every callback uses.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from dlcli.runtime.bootstrap import import_keras


class KerasCallback:
    """Derive from this instead of keras.callbacks.Callback (see the module docstring)."""

    def __new__(cls, *args: Any, **kwargs: Any):
        return object.__new__(_on_keras(cls))


@cache
def _on_keras(cls: type) -> type:
    base = import_keras().callbacks.Callback
    if issubclass(cls, base):
        return cls
    return type(cls.__name__, (cls, base), {"__module__": cls.__module__,
                                              "__qualname__": cls.__qualname__})  # fmt: skip
