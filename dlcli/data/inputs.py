"""Read the files a user wants predictions for into one array the model accepts.

Users hand `dlcli predict` whatever they have: a saved numpy array, a CSV export,
or a photo of a handwritten digit. Each file becomes one or more samples of the
model's input shape, with a label per sample so results can be shown next to
where they came from. Values stay raw (0..255 for images): the caller applies the
same scaling the config applied at training time, so it is done in one place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from dlcli.data.columns import column_order
from dlcli.data.formats import csv_number, load_npy, load_npz, read_csv_rows
from dlcli.data.images import IMAGE_EXTS, INVERT_MODES, should_invert
from dlcli.data.row_labels import Indexed, RowLabels
from dlcli.data.validation import refuse_non_real
from dlcli.errors import DataError

ARRAY_EXTS = (".npy", ".npz", ".csv")
SUPPORTED_EXTS = ARRAY_EXTS + IMAGE_EXTS
NPZ_KEYS = ("x", "x_test")  # the array names dlcli and keras.datasets use for inputs


def read_inputs(
    paths: list[str],
    sample_shape: tuple[int, ...],
    target: str | None = None,
    invert: str = "auto",
    preprocessing: dict | None = None,
) -> tuple[np.ndarray, Sequence[str]]:
    """Read every file into a float32 array of shape (n, *sample_shape) plus n row labels.

    `target` names a CSV column to drop (the label column of a training export).
    `invert` (auto|always|never) decides when grayscale images get their colours
    inverted; auto: when their background is the other way round from the training
    images' (`preprocessing["image_background"]`). CSV columns with a header are matched
    by name to `preprocessing["columns"]` when the model was trained on named columns.
    """
    if not paths:
        raise DataError("no input files given; pass one or more .npy/.npz/.csv or image files")
    if invert not in INVERT_MODES:
        raise DataError(f"invert must be one of {', '.join(INVERT_MODES)}, not {invert!r}")
    sample_shape = tuple(int(d) for d in sample_shape)
    facts = InputFacts(target, invert, preprocessing or {})
    batches: list[np.ndarray] = []
    labels = RowLabels()
    for name in paths:
        x, row_labels = _read_one(name, sample_shape, facts)
        batches.append(x)
        labels.extend(row_labels)
    if len(batches) == 1:  # one file: no second copy of what may be a large array
        return batches[0].astype(np.float32, copy=False), labels
    return np.concatenate(batches).astype(np.float32, copy=False), labels


def infer_sample_count(shape: tuple[int, ...], sample_shape: tuple[int, ...]) -> int | None:
    """How many samples an array of `shape` holds, or None if it does not fit the model.

    One sample may come in any layout with the right number of values (a 28x28
    image for a 784-input model); a batch is (n, *anything of that size).
    """
    size = math.prod(sample_shape)
    if math.prod(shape) == size:
        return 1
    if len(shape) >= 2 and math.prod(shape[1:]) == size:
        return shape[0]
    if size == 1 and len(shape) == 1:  # a column of scalars for a one-input model
        return shape[0]
    return None


@dataclass(frozen=True)
class InputFacts:
    """What reading an input file needs to know about the training data."""

    target: str | None  # CSV: the label column, dropped if present
    invert: str  # auto | always | never
    preprocessing: dict  # the run's preprocessing.json (columns, image_background)


def _read_one(
    name: str, sample_shape: tuple[int, ...], facts: InputFacts
) -> tuple[np.ndarray, list[str]]:
    """Dispatch on the file extension after checking the file is there."""
    path = Path(name)
    if not path.exists():
        raise DataError(f"{name}: no such file; check the path")
    if path.is_dir():
        raise DataError(f"{name}: is a directory; pass the files in it (e.g. {name}/*.png)")
    ext = path.suffix.lower()
    if ext == ".npy":
        return _batch(load_npy(path), sample_shape, name)
    if ext == ".npz":
        key, arr = _load_npz(path, name)
        return _batch(arr, sample_shape, f"{name}:{key}")
    if ext == ".csv":
        return _read_csv(path, name, sample_shape, facts)
    if ext in IMAGE_EXTS:
        with path.open("rb") as file:
            return read_image(file, name, sample_shape, facts)
    raise DataError(
        f"{name}: unsupported file type {ext or '(no extension)'!r}; "
        f"use one of {', '.join(SUPPORTED_EXTS)}"
    )


def _load_npz(path: Path, name: str) -> tuple[str, np.ndarray]:
    """The input array of an .npz (`x`, else `x_test`, else its only array), read alone."""
    chosen: list[str] = []

    def input_key(keys: list[str]) -> list[str]:
        key = next((k for k in NPZ_KEYS if k in keys), keys[0] if len(keys) == 1 else None)
        if key is None:
            raise DataError(
                f"{name}: holds arrays {', '.join(keys) or '(none)'}; "
                "name the inputs 'x' (or 'x_test') so dlcli knows which to use"
            )
        chosen.append(key)
        return [key]

    arrays = load_npz(path, pick=input_key)
    return chosen[0], arrays[chosen[0]]


def _batch(
    arr: np.ndarray, sample_shape: tuple[int, ...], name: str
) -> tuple[np.ndarray, Sequence[str]]:
    """Reshape a loaded array into (n, *sample_shape), labelled `name` or `name[i]`."""
    refuse_non_real(arr, name)  # before the float32 cast could drop an imaginary part
    n = infer_sample_count(arr.shape, sample_shape)
    if n is None:
        got = arr.shape[1:] if arr.ndim >= 2 else arr.shape
        raise DataError(
            f"{name}: a sample has shape {got} but the model takes {sample_shape}; "
            f"give one sample of {math.prod(sample_shape)} values or a batch shaped "
            f"(n, {', '.join(map(str, sample_shape))})"
        )
    if n == 0:
        raise DataError(f"{name}: holds no samples (shape {arr.shape})")
    x = arr.reshape((n, *sample_shape)).astype(np.float32, copy=False)
    return x, [name] if arr.size == math.prod(sample_shape) else Indexed(name, n)


def _read_csv(
    path: Path, name: str, sample_shape: tuple[int, ...], facts: InputFacts
) -> tuple[np.ndarray, list[str]]:
    """One sample per row; a non-numeric first row is a header; drop the `target` column.

    With a header and a model trained on named columns, the columns are matched by
    name (any order); a missing or unknown one is an error naming it.
    """
    rows = read_csv_rows(path)
    header = None
    if rows and any(c.strip() and not _is_number(c) for c in rows[0][1]):
        header = [c.strip() for c in rows.pop(0)[1]]
    if not rows:
        raise DataError(f"{name}: has no data rows")
    target = facts.target
    drop = header.index(target) if header and target in header else None
    columns = [h for j, h in enumerate(header) if j != drop] if header else None
    trained_on = facts.preprocessing.get("columns")
    order = column_order(columns, trained_on, name) if columns and trained_on else None
    size = math.prod(sample_shape)
    samples = []
    for line, row in rows:
        cells = [c for j, c in enumerate(row) if j != drop]
        if len(cells) != size:
            hint = "" if drop is not None else " (if one column is the target, give it a header)"
            raise DataError(
                f"{name}: a sample (line {line}) has {len(cells)} values but the model takes "
                f"{sample_shape} = {size} values{hint}"
            )
        if order is not None:
            cells = [cells[j] for j in order]
        names = trained_on if order is not None else columns
        samples.append(
            [csv_number(c, f"{name}:", line, _column(names, j)) for j, c in enumerate(cells)]
        )
    x = np.asarray(samples, dtype=np.float32).reshape((len(samples), *sample_shape))
    return x, [f"{name}:row {i}" for i in range(1, len(samples) + 1)]


def _is_number(cell: str) -> bool:
    """Whether a CSV cell parses as a number (used to tell a header row from data)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _column(columns: list[str] | None, j: int) -> str:
    return f"column {columns[j]!r}" if columns and j < len(columns) else f"column {j + 1}"


def _image_target(sample_shape: tuple[int, ...], name: str) -> tuple[str, tuple[int, int]]:
    """Pillow mode and (width, height) an image must become to fit the model."""
    shape = sample_shape
    if len(shape) == 1 and math.isqrt(shape[0]) ** 2 == shape[0]:
        side = math.isqrt(shape[0])
        return "L", (side, side)
    if len(shape) == 2 or (len(shape) == 3 and shape[2] == 1):
        return "L", (shape[1], shape[0])
    if len(shape) == 3 and shape[2] in (3, 4):
        return ("RGB" if shape[2] == 3 else "RGBA"), (shape[1], shape[0])
    raise DataError(
        f"{name}: the model takes inputs of shape {sample_shape}, which is not an image; "
        "images fit models taking (h, w), (h, w, 1), (h, w, 3) or (h*w,) with h == w"
    )


def read_image(
    file: BinaryIO, name: str, sample_shape: tuple[int, ...], facts: InputFacts
) -> tuple[np.ndarray, list[str]]:
    """Convert an image (an open file) to the model's size and channels, and invert a
    grayscale one whose background is the other way round from the training images'."""
    from PIL import Image, ImageOps

    if facts.preprocessing.get("kind") == "image_folder":  # decoded as training did
        from dlcli.data.image_folder import decode_like_training

        pixels = decode_like_training(file.read(), name, facts.preprocessing)
        return pixels.reshape((1, *sample_shape)), [name]
    mode, size = _image_target(sample_shape, name)
    try:
        with Image.open(file) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # phone photos are often stored rotated
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                # show transparency as a viewer does: over white
                background = Image.new("RGBA", img.size, "white")
                img = Image.alpha_composite(background, img.convert("RGBA"))
            img = img.convert(mode).resize(size, Image.Resampling.LANCZOS)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise DataError(
            f"{name}: cannot read as an image ({e}); check it is a complete PNG/JPEG/BMP/GIF file"
        ) from e
    pixels = np.asarray(img, dtype=np.float32)
    label = name
    background = facts.preprocessing.get("image_background")
    if mode == "L" and should_invert(pixels, facts.invert, background):
        pixels = 255.0 - pixels  # e.g. a dark digit on light paper -> MNIST's white on black
        label = f"{name} (inverted)"
    return pixels.reshape((1, *sample_shape)), [label]
