"""dlcli: train, evaluate and compare Keras models from YAML config files.

The Python API (`dlcli.api`) is importable from here —
`from dlcli import load_config, train, evaluate, predict, compare` — and is loaded on
first use, so `import dlcli` (and every `dlcli --help`) stays light.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "LoadedConfig",
    "Run",
    "Validation",
    "__version__",
    "compare",
    "compare_optimizers",
    "diff",
    "evaluate",
    "export",
    "inspect",
    "list_runs",
    "load_config",
    "predict",
    "predict_chunks",
    "serve",
    "report",
    "train",
    "validate",
]

if TYPE_CHECKING:
    from dlcli.api import (
        Comparison,
        LoadedConfig,
        Run,
        Validation,
        compare,
        compare_optimizers,
        diff,
        evaluate,
        export,
        inspect,
        list_runs,
        load_config,
        predict,
        predict_chunks,
        report,
        serve,
        train,
        validate,
    )


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        from dlcli import api

        return getattr(api, name)
    raise AttributeError(f"module 'dlcli' has no attribute {name!r}")


class _Package(types.ModuleType):
    """`dlcli.compare` is the API function, not the subpackage of the same name.

    Importing any `dlcli.compare.*` module makes the import system set the attribute
    `compare` of this package to that subpackage, so `from dlcli import compare` would give
    a module or a function depending on what happened to be imported first. This property
    always gives the function; the subpackage stays importable by its full name
    (`from dlcli.compare.plan import ...`, `sys.modules["dlcli.compare"]`).
    """

    @property
    def compare(self) -> Any:
        from dlcli.api import compare

        return compare

    @compare.setter
    def compare(self, value: Any) -> None:
        """The import system recording the subpackage: ignored (see above)."""


sys.modules[__name__].__class__ = _Package
