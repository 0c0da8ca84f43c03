"""Train: config -> data -> model -> fit -> a complete run directory.

The CLI hands off here. TensorFlow is imported inside `train`, after the config and
the data have been checked, so a mistake costs no TensorFlow start-up.
"""

from __future__ import annotations

import contextlib
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from dlcli.config.loader import LoadedConfig
from dlcli.errors import DlcliError, ModelError, TrainingError, first_line
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.training.checks import check_fit


@dataclass
class Output:
    """How a command shows progress: `bar` (a terminal), `lines` (logs) or `none`."""

    progress: str = "lines"
    stream: Any = None  # where progress goes; None: stdout
    verbose: bool = False
    prefix: str = ""  # before each progress line, e.g. "[3/12 adam s1] " in a comparison
    resume_hint: str | None = None  # how to continue after Ctrl-C; None: `train --resume RUN`


@dataclass
class TrainResult:
    run_dir: Path
    metrics: dict[str, float]
    history: dict[str, list[float]]
    device: str
    evaluated_on: str
    seconds: float


def train(
    loaded: LoadedConfig,
    runs_dir: str | Path = "runs",
    name: str | None = None,
    output: Output | None = None,
) -> TrainResult:
    """Train the configured model and write a complete run directory; return its results."""
    started = time.perf_counter()
    dataset = load_checked_data(loaded)
    return train_on(loaded, dataset, runs_dir, name, output, started=started)


def load_checked_data(loaded: LoadedConfig):
    """Load and preprocess the data, and check the model fits it (no TensorFlow yet)."""
    from dlcli.data.pipeline import load_dataset

    dataset = load_dataset(loaded.config.data, loaded.config.seed)
    check_fit(
        loaded, dataset.x_train, dataset.y_train, dataset.num_classes,
        has_validation=dataset.x_val is not None,
    )  # fmt: skip
    return dataset


def train_on(
    loaded: LoadedConfig,
    dataset,
    runs_dir: str | Path,
    name: str | None = None,
    output: Output | None = None,
    started: float | None = None,
    resume_from: RunDir | None = None,
) -> TrainResult:
    """Train on data already loaded (a comparison loads it once for all its members).
    With `resume_from`, continue that run from its last checkpoint (dlcli.training.resume)."""
    from dlcli.training.checkpoint import config_hash, restore
    from dlcli.training.interrupts import stop_on_signals

    output = output or Output()
    started = time.perf_counter() if started is None else started
    cfg = loaded.config
    model, device = prepare_model(loaded, output)
    speed = _set_xla(loaded, model, device, len(dataset.x_train))  # for fit() only
    run = resume_from or RunDir.create(runs_dir, name or cfg.name)
    run.write_text(files.CONFIG_FILE, loaded.resolved_yaml())  # before anything else
    run.set_status(files.RUNNING, command=_command_line(), config_sha256=config_hash(loaded))
    hint = output.resume_hint or f"dlcli train --resume {run.path}"
    with stop_on_signals(hint), recording(run):
        start = restore(run, model)
        _write_run_facts(run, model, dataset, device, cfg.seed, speed)
        history = _fit(run, model, dataset, loaded, output, start)
        metrics, evaluated_on = _final_evaluation(model, dataset, cfg.train.eval_batch_size)
        _save_artifacts(run, model, history, metrics, evaluated_on)
        run.set_status(files.COMPLETED, epochs=len(history.get("loss", [])))
    seconds = time.perf_counter() - started
    return TrainResult(run.path, metrics, history, device, evaluated_on, seconds)


def prepare_model(loaded: LoadedConfig, output: Output):
    """Start TensorFlow on the configured device, seed it, build and compile the model."""
    from dlcli.config.runtime import quiet_tensorflow
    from dlcli.training.builder import build_model, compile_model
    from dlcli.training.device import seed_everything, select_device
    from dlcli.training.speed import compile_options, configure_runtime

    quiet_tensorflow(output.verbose)
    device = select_device(loaded.config.train.device)
    seed_everything(loaded.config.seed)
    configure_runtime(loaded.config.train, device)
    model = build_model(loaded.config.model)
    compile_model(model, loaded.config.compile, **compile_options(loaded.config.train))
    return model, device


@contextlib.contextmanager
def recording(run: RunDir) -> Iterator[None]:
    """Whatever ends the block, the run's status says so: never a run that looks
    complete but is not. Errors are re-raised for the CLI to report."""
    try:
        yield
    except KeyboardInterrupt:
        from dlcli.training.checkpoint import interrupted

        raise interrupted(run) from None
    except DlcliError as error:
        run.set_status(files.FAILED, reason=str(error))
        raise
    except BaseException as error:  # a bug in dlcli: record it, then let it surface
        run.set_status(files.FAILED, reason=f"internal error: {type(error).__name__}: "
                       f"{first_line(error)}")  # fmt: skip
        raise


def _set_xla(loaded: LoadedConfig, model, device: str, train_samples: int) -> dict:
    """Decide XLA for fit() and the evaluation batch (speed_policy), set them; return
    env.json's facts."""
    import keras

    from dlcli.training.speed import xla_for_fit
    from dlcli.training.speed_policy import decide_xla, speed_facts

    cfg = loaded.config
    decision = decide_xla(cfg.train, cfg.model, device, train_samples, keras.backend.backend())
    facts = speed_facts(cfg.train, decision, xla_for_fit(model, decision))
    # The evaluation batch as chosen for this kind of model; config.yaml records it, so a
    # resumed run and `dlcli evaluate` use the same.
    cfg.train.eval_batch_size = facts["eval_batch_size"]
    return facts


def _write_run_facts(run: RunDir, model, dataset, device: str, seed: int, speed: dict) -> None:
    import keras
    import tensorflow as tf

    from dlcli.training.builder import model_summary
    from dlcli.training.speed_policy import speed_summary

    run.write_text(files.SUMMARY_FILE, model_summary(model) + speed_summary(speed))
    run.write_json(files.PREPROCESSING_FILE, dataset.preprocessing)
    run.write_json(files.DATA_FILE, {**dataset.info, "shapes": _shapes(dataset)})
    run.write_json(
        files.ENV_FILE,
        {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "device": device,
            "seed": seed,
            "command": _command_line(),
            "data_files": dataset.files,
            "speed": speed,
        },
    )


def _shapes(dataset) -> dict[str, list[int] | None]:
    names = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
    return {
        n: (list(getattr(dataset, n).shape) if getattr(dataset, n) is not None else None)
        for n in names
    }


def _fit(run: RunDir, model, dataset, loaded: LoadedConfig, output: Output, start) -> dict:
    from dlcli.training.builder import model_errors
    from dlcli.training.callbacks import HistoryWriter, StopOnNaN, configured_callbacks
    from dlcli.training.checkpoint import keep_last_good, save_checkpoint
    from dlcli.training.diagnostics import diagnostic_callbacks
    from dlcli.training.speed import fit_options, without_xla

    cfg = loaded.config.train
    history = HistoryWriter(run, start.history, partial(save_checkpoint, run))
    nan = StopOnNaN()
    # The configured callbacks first, so a learning rate ReduceLROnPlateau lowers at an
    # epoch's end is in that epoch's checkpoint (written by the history writer).
    callbacks = [nan, *configured_callbacks(cfg.callbacks, run, start.history), history]
    callbacks += diagnostic_callbacks(cfg.diagnostics, run, dataset, start.epoch)
    progress = progress_callbacks(output, output.prefix)
    callbacks += progress
    validation = (dataset.x_val, dataset.y_val) if dataset.x_val is not None else None
    try:
        model.fit(
            dataset.x_train,
            dataset.y_train,
            **fit_options(cfg),
            initial_epoch=start.epoch,
            validation_data=validation,
            callbacks=callbacks,
            verbose=0,
        )
    except model_errors() as error:
        raise ModelError(f"training failed: {first_line(error)}") from None
    finally:  # Keras skips on_train_end when fit is interrupted: clear a live bar anyway
        for callback in progress:
            callback.on_train_end()
    without_xla(model)
    if nan.where is not None:
        raise TrainingError(
            f"the loss became NaN or infinite at {nan.where}. Usual causes: "
            "a learning rate too high, inputs not scaled (data.scale), or a loss that does "
            f"not fit the output activation. {keep_last_good(run, model)}"
        )
    return history.history


def progress_callbacks(output: Output, prefix: str = "") -> list:
    from dlcli.training.callbacks import EpochLines, LiveBar

    if output.progress == "none":
        return []
    stream = output.stream or sys.stdout
    if output.progress == "bar":
        from rich.console import Console

        return [LiveBar(Console(file=stream), prefix)]
    return [EpochLines(stream, prefix)]


def _final_evaluation(model, dataset, batch_size: int) -> tuple[dict[str, float], str]:
    from dlcli.training.builder import model_errors

    if dataset.x_test is not None:
        x, y, split = dataset.x_test, dataset.y_test, "test"
    elif dataset.x_val is not None:
        x, y, split = dataset.x_val, dataset.y_val, "validation"
    else:
        x, y, split = dataset.x_train, dataset.y_train, "train"
    try:
        result = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    except model_errors() as error:
        raise ModelError(f"evaluation on the {split} split failed: {first_line(error)}") from None
    return {key: float(value) for key, value in result.items()}, split


def _save_artifacts(run: RunDir, model, history: dict, metrics: dict, split: str) -> None:
    from dlcli.runs.plots import plot_history

    run.write_json(files.METRICS_FILE, {"split": split, **metrics})
    run.save_with(files.WEIGHTS_FILE, model.save_weights)
    run.save_with(files.MODEL_FILE, model.save)
    plot_history(history, run.file(files.PLOTS_DIR), title_prefix=run.path.name)


def _command_line() -> str:
    return " ".join(["dlcli", *sys.argv[1:]]) if sys.argv else "dlcli"
