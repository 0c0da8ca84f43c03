"""The Python API: what the command line does, callable from a notebook or a script.

    from dlcli import load_config, train, evaluate, predict, compare
    run = train("configs/mnist_mlp.yaml", overrides=["train.epochs=2"])
    run.metrics["accuracy"], run.history["val_loss"], run.model.summary()

Each function behaves as its command does — the same checks, the same run directory,
the same `DlcliError` subclasses (`dlcli.errors`) — and the CLI (`dlcli.cli.app`) is a
thin layer over it that adds only the terminal: option parsing, tables, exit codes.
Nothing here imports TensorFlow until a function that trains or loads a model runs.
"""

from dlcli.api.finished import (
    diff,
    evaluate,
    export,
    inspect,
    list_runs,
    predict,
    predict_chunks,
    report,
    serve,
)
from dlcli.api.workflows import (
    Comparison,
    LoadedConfig,
    Run,
    Validation,
    compare,
    compare_optimizers,
    load_config,
    train,
    validate,
)

__all__ = [
    "Comparison",
    "LoadedConfig",
    "Run",
    "Validation",
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
    "report",
    "serve",
    "train",
    "validate",
]
