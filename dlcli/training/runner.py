"""Train: config -> data -> model -> fit -> a complete run directory.

The CLI hands off here. TensorFlow is imported inside `train`, after the config and
the data have been checked, so a mistake costs no TensorFlow start-up.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import partial

from dlcli.config.loader import LoadedConfig
from dlcli.errors import DlcliError, ModelError, TrainingError, first_line
from dlcli.models.capacity import (
    is_out_of_memory,
    out_of_memory_message,
    out_of_memory_reported,
)
from dlcli.models.checks import check_fit
from dlcli.models.kind import ModelKind
from dlcli.models.kinds import model_kind
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import SOLO, Job
from dlcli.runtime.speed import set_xla
from dlcli.trained.run_handle import Run
from dlcli.training.observers import RunObserver, epoch_callback, notify, observed
from dlcli.training.request import Output, TrainRequest
from dlcli.training.run_facts import command_line, write_run_facts
from dlcli.training.scoring import final_evaluation


def train(loaded: LoadedConfig, request: TrainRequest | None = None) -> Run:
    """Train the configured model and write a complete run directory; return its results.
    The request's trackers follow the run: dlcli.training.observers."""
    from dlcli.runtime.bootstrap import choose_backend

    request = request or TrainRequest()
    started = time.perf_counter()
    choose_backend(loaded.config.train.backend)  # before anything can import Keras
    dataset = load_checked_data(loaded)
    return train_on(loaded, dataset, request, started=started)


def load_data(loaded: LoadedConfig):
    """Check the model's size against memory, then load and preprocess the data."""
    from dlcli.data.pipeline import load_dataset
    from dlcli.models.capacity import check_capacity

    check_capacity(loaded)  # before the data: a model too large for memory costs nothing
    return load_dataset(loaded.config.data, loaded.config.seed)


def load_checked_data(loaded: LoadedConfig):
    """Load and preprocess the data, and check the model fits it (no TensorFlow yet)."""
    dataset = load_data(loaded)
    check_fit(
        loaded, dataset.x_train, dataset.y_train, dataset.num_classes,
        has_validation=dataset.x_val is not None,
    )  # fmt: skip
    return dataset


def train_on(
    loaded: LoadedConfig,
    dataset,
    request: TrainRequest,
    resume_from: RunDir | None = None,
    started: float | None = None,
) -> Run:
    """Train on data already loaded (a comparison loads it once for all its members).
    With `resume_from`, continue that run from its last checkpoint (dlcli.training.resume);
    with the request's job, as one process of a data-parallel job
    (dlcli.training.distributed), on this process's shard of the data."""
    from dlcli.runtime.interrupts import stop_on_signals
    from dlcli.training.checkpoint import config_hash, restore

    output, observers, job = request.output, request.trackers, request.job
    started = time.perf_counter() if started is None else started
    kind = model_kind(loaded.config.model.kind)  # e.g. its own XLA decision, how it saves
    with out_of_memory_reported():
        model, device = prepare_model(loaded, output, job)
    loaded, dataset, speed = _speed_settings(loaded, model, device, dataset, kind)
    cfg = loaded.config
    run = resume_from or RunDir.create(request.runs_dir, request.name or cfg.name)
    with contextlib.ExitStack() as stack:
        if resume_from is None:  # a resume holds its run's lock already (training.resume)
            stack.enter_context(run.locked())  # before the run's first file, for its life
        run.write_text(files.CONFIG_FILE, loaded.resolved_yaml())  # before anything else
        run.set_status(files.RUNNING, command=command_line(), config_sha256=config_hash(loaded))
        hint = f"Resume with: {output.resume_hint or f'dlcli train --resume {run.path}'}"
        # observed() outside recording(): observers hear the state recording() wrote.
        state = partial(_recorded_state, run)
        with stop_on_signals(hint), observed(observers, run.path, state) as final, recording(run):
            # summary.txt before restore builds the optimizer: its variables would count as
            # the model's (a resumed MLP said 814,102 parameters for 407,050)
            env = write_run_facts(run, model, dataset, device, cfg, job, speed)
            start = restore(run, model, kind, cfg.train.epochs)
            notify(observers, "on_start", run.path, loaded, env)
            history = _fit(run, model, dataset, loaded, output, start, observers, job)
            eval_batch = max(cfg.train.eval_batch_size // job.num_processes, 1)
            metrics, evaluated_on = final_evaluation(
                model, dataset, eval_batch, run.file(files.PLOTS_DIR),
                confusion=not job.joined and kind.confusion_matrix,
            )  # fmt: skip
            _save_artifacts(run, model, kind, history, metrics, evaluated_on)
            run.set_status(files.COMPLETED, epochs=len(next(iter(history.values()), [])))
            final.update({f"{evaluated_on}_{key}": value for key, value in metrics.items()})
    seconds = time.perf_counter() - started
    return Run(run.path, history, metrics, evaluated_on, device, seconds)


def prepare_model(loaded: LoadedConfig, output: Output, job: Job = SOLO):
    """Start the backend on the configured device (joining `job` first, if any), seed it,
    build and compile the model (replicated over devices or processes, if distributed)."""
    from dlcli.runtime import backend
    from dlcli.runtime.backend import seed_everything, select_device
    from dlcli.runtime.bootstrap import choose_backend, import_keras
    from dlcli.runtime.speed import configure_runtime

    cfg, kind = loaded.config, model_kind(loaded.config.model.kind)
    choose_backend(cfg.train.backend)
    # A fresh Keras state per model: layer names (dense, dense_1, ...) do not depend on
    # what this process built before, so a run resumed in the same process (the Python
    # API, a comparison) records its diagnostics under the same names.
    import_keras(output.verbose).backend.clear_session()
    if job.joined:
        backend.join_job(job)  # before the backend touches a device
    device = select_device(cfg.train.device)
    seed_everything(cfg.seed)
    configure_runtime(cfg.train, device)
    with backend.distribution_scope(cfg.train.distribute, job):
        try:
            model = kind.build(cfg.model)
        except ModelError as error:  # point at the layer's line in the config
            if not error.key:
                raise
            raise ModelError(f"{loaded.position(error.key)}: {error}") from None
        kind.compile(model, cfg.compile, cfg.train)
    return model, device


def _speed_settings(loaded: LoadedConfig, model, device: str, dataset, kind):
    """(the config with the evaluation batch chosen for this kind of model, the data
    evened out over the replicas of train.distribute: mirrored, env.json's speed facts).
    config.yaml records the evaluation batch, so a resume and `dlcli evaluate` use it."""
    from dlcli.runtime.backend import replica_count
    from dlcli.runtime.feeding import even_for_replicas

    replicas = replica_count(model, loaded.config.train.distribute)
    dataset = even_for_replicas(dataset, replicas, loaded.config.train.batch_size)
    speed = set_xla(loaded, model, device, dataset.train_samples, kind.xla_decision())
    speed["eval_batch_size"] = max(speed["eval_batch_size"] // replicas, 1) * replicas
    return _with_eval_batch(loaded, speed["eval_batch_size"]), dataset, speed


def _with_eval_batch(loaded: LoadedConfig, size: int) -> LoadedConfig:
    train = loaded.config.train.model_copy(update={"eval_batch_size": size})
    return replace(loaded, config=loaded.config.model_copy(update={"train": train}))


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
        if is_out_of_memory(error):
            run.set_status(files.FAILED, reason=out_of_memory_message(error))
            raise TrainingError(out_of_memory_message(error)) from None
        run.set_status(files.FAILED, reason=f"internal error: {type(error).__name__}: "
                       f"{first_line(error)}")  # fmt: skip
        raise


def _recorded_state(run: RunDir) -> str:
    return run.status().get("state", files.FAILED)


def _fit(run: RunDir, model, dataset, loaded: LoadedConfig, output: Output, start,
         observers: Sequence[RunObserver] = (), job: Job = SOLO) -> dict:  # fmt: skip
    from dlcli.runtime.backend import translated_errors
    from dlcli.runtime.feeding import fit_arguments
    from dlcli.runtime.speed import without_xla
    from dlcli.training.callbacks import HistoryWriter, StopOnNaN, configured_callbacks
    from dlcli.training.checkpoint import keep_last_good, save_checkpoint
    from dlcli.training.diagnostics import diagnostic_callbacks
    from dlcli.training.tensorboard_logs import tensorboard_callbacks

    cfg, kind = loaded.config.train, model_kind(loaded.config.model.kind)
    history = HistoryWriter(run, start.history, partial(save_checkpoint, run))
    nan = StopOnNaN()
    # The configured callbacks first, so a learning rate ReduceLROnPlateau lowers at an
    # epoch's end is in that epoch's checkpoint (written by the history writer).
    callbacks = [nan, *configured_callbacks(cfg.callbacks, run, start.history), history]
    callbacks += diagnostic_callbacks(cfg.diagnostics, run, dataset, start.epoch)
    callbacks += tensorboard_callbacks(cfg, run)
    callbacks += [epoch_callback(observers)] if observers else []
    callbacks += kind.callbacks(run, loaded.config.model)  # e.g. a GAN's sample grids
    progress = progress_callbacks(output, output.prefix)
    callbacks += progress
    # XLA for fit() was set before training (speed.set_xla), as env.json records
    try:
        with translated_errors(ModelError, "training failed"):
            model.fit(
                # arrays, or a source's streamed batches; each process its share of a batch
                **fit_arguments(dataset, cfg, job.num_processes),
                initial_epoch=start.epoch,
                callbacks=callbacks,
                verbose=0,
            )
    finally:  # Keras skips on_train_end when fit is interrupted: clear a live bar anyway
        for callback in progress:
            callback.on_train_end()
    without_xla(model)
    if nan.where is not None:
        raise TrainingError(
            f"the loss became NaN or infinite at {nan.where}. Usual causes: "
            "a learning rate too high, inputs not scaled (data.scale), or a loss that does "
            f"not fit the output activation. {keep_last_good(run, model, kind)}"
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


def _save_artifacts(
    run: RunDir, model, kind: ModelKind, history: dict, metrics: dict, split: str
) -> None:
    from dlcli.runs.plots import plot_history
    from dlcli.runs.space import saved_size

    run.write_json(files.METRICS_FILE, {"split": split, **metrics})
    run.save_with(files.WEIGHTS_FILE, model.save_weights, saved_size(model))  # what resumes
    kind.save_model(run, model)  # model.keras: what predict, serve and export load
    plot_history(history, run.file(files.PLOTS_DIR), title_prefix=run.path.name)
