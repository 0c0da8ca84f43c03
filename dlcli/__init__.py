"""dlcli: train, evaluate and compare Keras models from YAML config files.

The Python API (`dlcli.api`) is importable from here —
`from dlcli import load_config, train, evaluate, predict, compare` — and is loaded on
first use, so `import dlcli` (and every `dlcli --help`) stays light.
"""

from __future__ import annotations

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
