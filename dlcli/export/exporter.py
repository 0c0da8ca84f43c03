"""`dlcli export`: write a trained run's model in another format, checked, then moved
into place.

Each export is written to a temporary folder inside RUN/export/, loaded back by its own
runtime (TensorFlow, onnxruntime, the LiteRT interpreter), and its predictions on real
test inputs are compared with the Keras model's. Only when they agree within
`TOLERANCE` does the folder, with a metadata.json that describes the inputs, the
preprocessing, the classes and the check, move to RUN/export/<format>/. A failed
conversion or check leaves nothing behind that looks like an export. Every folder and
file goes through the run's path check (dlcli.runs.folders, RunDir), so a link planted
at RUN/export leads nowhere; the export holds the run's lock, so a resume cannot start
under it, and removes at its start what a killed export left.
"""

from __future__ import annotations

import errno
import time
import warnings
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.errors import Interrupted, ModelError, RunDirError, UsageError
from dlcli.export.diagnose import conversion_error
from dlcli.export.formats import FORMATS, Format, Runner
from dlcli.runs import folders, reading
from dlcli.runs import rundir as files
from dlcli.runtime.interrupts import Handler, stop_on_signals
from dlcli.trained.inference import TrainedRun, load_trained
from dlcli.trained.model_info import check_inputs, describe

TOLERANCE = 1e-5  # |exported - keras| <= TOLERANCE + TOLERANCE * |keras|, per value
CHECK_SAMPLES = 16  # real test inputs each export is checked on


def export_run(
    path: str | Path, formats: list[str], force: bool = False, verbose: bool = False
) -> list[dict[str, Any]]:
    """Export a run to each of `formats`; one metadata dict (with its check) per format."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"unknown export format {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(FORMATS)}"
        )
    trained = load_trained(path, verbose)  # a completed run that no process holds
    run = trained.run
    with run.locked("being exported"), stop_on_signals(
        f"Export again with: dlcli export {run.path}"
    ) as signals:  # fmt: skip
        folders.folder(run, files.EXPORT_DIR)  # a link or a file there: refused now
        folders.clean_leftovers(run, files.EXPORT_DIR)  # a killed export's scratch folders
        for name in formats:  # refuse before any work, not after the first format
            if folders.exists(run, f"{files.EXPORT_DIR}/{name}") and not force:
                raise RunDirError(f"{folders.entry(run, f'{files.EXPORT_DIR}/{name}')}: "
                                  "already exported; pass --force to replace it")  # fmt: skip
        try:
            split, x = check_inputs(trained, CHECK_SAMPLES)
            expected = np.asarray(trained.model.predict(x, verbose=0))
            model = inference_model(trained.model)  # what every format converts
            return [_export_one(trained, model, FORMATS[name], (x, expected, split), signals)
                    for name in formats]  # fmt: skip
        except (KeyboardInterrupt, Exception) as error:  # Ctrl-C or SIGTERM
            if isinstance(error, KeyboardInterrupt) or signals.received:
                # A signal between a scratch folder's making and its `try` skips that
                # format's own clean-up: remove whatever scratch is left here, once.
                folders.clean_leftovers(run, files.EXPORT_DIR)
                raise Interrupted(f"export interrupted; {run.path}/{files.EXPORT_DIR} keeps "
                                  "the exports it had before") from None  # fmt: skip
            raise


def _export_one(
    trained: TrainedRun, model: Any, fmt: Format, checked: tuple, signals: Handler
) -> dict[str, Any]:
    """Convert, check against `checked` (inputs, Keras's outputs, their split), write the
    metadata and move the folder into place, unless a signal came meanwhile."""
    x, expected, split = checked
    run = trained.run
    built = folders.scratch(run, files.EXPORT_DIR, fmt.name)  # its name inside the run
    scratch = run.file(built)
    try:
        batch = _convert(model, fmt, scratch)
        try:
            runner = fmt.load(scratch)
        except ImportError as error:
            raise conversion_error(trained.model, fmt.name, error) from None
        got = _run_batches(runner, x, batch)
        check = compare(got, expected, split)
        if not check["passed"]:
            raise ModelError(
                f"{fmt.name}: the export's predictions differ from the Keras model's by up "
                f"to {check['max_abs_error']:.3g} (tolerance {TOLERANCE}); nothing was written"
            )
        record = _metadata(trained, fmt, batch, check)
        vocabulary = trained.preprocessing.get("vocabulary_file")
        try:
            run.write_json(f"{built}/{files.EXPORT_METADATA_FILE}", record)
            if vocabulary:  # a text model's inputs are token ids: the words they stand for
                run.write_bytes(f"{built}/{vocabulary}", reading.read_bytes(run.file(vocabulary)))
        except RunDirError as error:  # e.g. the disk is full; the scratch folder goes below
            raise RunDirError(f"{fmt.name}: {error}; nothing was written") from None
        if signals.received:  # a converter's C code swallowed the KeyboardInterrupt
            raise KeyboardInterrupt
        folders.move_into_place(run, built, f"{files.EXPORT_DIR}/{fmt.name}")
        return record
    finally:
        folders.remove(run, built)


def inference_model(model: Any) -> Any:
    """`model` as it predicts, with training=False fixed in its graph. Keras's export
    calls a model without `training`, and the augmentation layers (RandomFlip,
    RandomRotation, ...) then default to training: the export augmented every input,
    differently on every call (up to 0.18 on a shapes CNN's probabilities)."""
    import keras

    inputs = keras.Input(shape=model.input_shape[1:], dtype=model.inputs[0].dtype)
    return keras.Model(inputs, model(inputs, training=False), name=model.name)


def _convert(model: Any, fmt: Format, folder: Path) -> int | None:
    """Write the format; the batch size it was fixed to (None: any batch size).

    LiteRT's built-in ops cannot hold a recurrent layer's loop over a batch of unknown
    size; with the batch fixed to 1 they can, so that is tried before giving up.
    """
    attempts: list[int | None] = [None, 1] if fmt.name == "tflite" else [None]
    first_error: BaseException | None = None
    for batch in attempts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # converters' deprecation noise
                fmt.write(model, folder, batch)
            return batch
        except Exception as error:  # converters raise many kinds; all mean "cannot"
            if _disk_full(error):  # not the model's fault: retrying cannot help
                raise RunDirError(f"cannot write the {fmt.name} export in {folder.parent}: "
                                  f"{_disk_full(error)}; nothing was written") from None
            first_error = first_error or error
    assert first_error is not None
    raise conversion_error(model, fmt.name, first_error) from None


# What converters say when a write fails for want of room, in whatever they raise
# (TensorFlow's C++ writers raise their own errors carrying the OS's words).
_FULL = {errno.ENOSPC: "the disk is full", errno.EFBIG: "a file exceeds the file-size limit"}
_FULL_WORDS = {"No space left on device": errno.ENOSPC, "File too large": errno.EFBIG}


def _disk_full(error: BaseException) -> str | None:
    """"the disk is full" (or the file-size limit) if that is what stopped a converter."""
    seen: BaseException | None = error
    for _ in range(16):  # the chain of causes, however the converter wrapped the OSError
        if seen is None:
            return None
        if isinstance(seen, OSError) and seen.errno in _FULL:
            return _FULL[seen.errno]
        for words, code in _FULL_WORDS.items():
            if words in str(seen):
                return _FULL[code]
        seen = seen.__cause__ or seen.__context__
    return None


def _run_batches(run: Runner, x: np.ndarray, batch: int | None) -> np.ndarray:
    x = x.astype(np.float32)
    if batch is None:
        return np.asarray(run(x))
    return np.concatenate([run(x[i : i + batch]) for i in range(0, len(x), batch)])


def compare(got: np.ndarray, expected: np.ndarray, split: str) -> dict[str, Any]:
    """The check written into metadata.json: passed, max errors, tolerance, inputs."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        raise ModelError(
            f"the export gives outputs of shape {list(got.shape)}, the Keras model "
            f"{list(expected.shape)}"
        )
    error = np.abs(got - expected)
    return {
        "passed": bool(np.all(error <= TOLERANCE + TOLERANCE * np.abs(expected))),
        "tolerance": f"|export - keras| <= {TOLERANCE} + {TOLERANCE} * |keras|",
        "max_abs_error": float(error.max(initial=0.0)),
        "inputs": f"the first {len(got)} samples of the {split} split",
        "same_classes": bool(
            expected.ndim != 2 or expected.shape[1] == 1
            or np.array_equal(got.argmax(axis=1), expected.argmax(axis=1))
        ),  # fmt: skip
    }


def _metadata(trained: TrainedRun, fmt: Format, batch: int | None, check: dict) -> dict:
    return {
        "format": fmt.name,
        "artifact": fmt.artifact,
        "runtime": f"{fmt.runtime} {_version(fmt.runtime)}",
        "batch_size": batch,  # None: any; 1: feed one sample at a time
        "exported": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **describe(trained),
        "check": check,
    }


def _version(package: str) -> str:
    try:
        return package_metadata.version(package)
    except package_metadata.PackageNotFoundError:
        return "(version unknown)"
