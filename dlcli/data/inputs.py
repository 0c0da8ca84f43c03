"""Read the files a user wants predictions for into one array the model accepts.

Users hand `dlcli predict` whatever they have: a saved numpy array, a CSV export,
or a photo of a handwritten digit. Each file becomes one or more samples of the
model's input shape, with a label per sample so results can be shown next to
where they came from. Values stay raw (0..255 for images): the caller applies the
same scaling the config applied at training time, so it is done in one place.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from dlcli.data.columns import column_order, refuse_duplicate_columns
from dlcli.data.declared import check_image
from dlcli.data.formats import csv_number, iter_csv_rows, load_npy, load_npz
from dlcli.data.images import IMAGE_EXTS, INVERT_MODES, should_invert
from dlcli.data.row_labels import Indexed, RowLabels
from dlcli.data.validation import refuse_non_real
from dlcli.errors import DataError

ARRAY_EXTS = (".npy", ".npz", ".csv")
SUPPORTED_EXTS = ARRAY_EXTS + IMAGE_EXTS
NPZ_KEYS = ("x", "x_test")  # the array names dlcli and keras.datasets use for inputs
# (file bytes, file name, preprocessing.json) -> (height, width, channels) pixels, 0..255
ImageDecoder = Callable[[bytes, str, dict], np.ndarray]


def read_inputs(
    paths: list[str],
    sample_shape: tuple[int, ...],
    target: str | None = None,
    invert: str = "auto",
    preprocessing: dict | None = None,
    decode_image: ImageDecoder | None = None,
) -> tuple[np.ndarray, Sequence[str]]:
    """Read every file into a float32 array of shape (n, *sample_shape) plus n row labels.

    `target` names a CSV column to drop (the label column of a training export).
    `invert` (auto|always|never) decides when grayscale images get their colours
    inverted; auto: when their background is the other way round from the training
    images' (`preprocessing["image_background"]`); `decode_image` (the run's data source's)
    decodes images instead, as its training did. CSV columns with a header are matched
    by name to `preprocessing["columns"]` when the model was trained on named columns.
    """
    if not paths:
        raise DataError("no input files given; pass one or more .npy/.npz/.csv or image files")
    if invert not in INVERT_MODES:
        raise DataError(f"invert must be one of {', '.join(INVERT_MODES)}, not {invert!r}")
    sample_shape = tuple(int(d) for d in sample_shape)
    facts = InputFacts(target, invert, preprocessing or {}, decode_image)
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
    decode_image: ImageDecoder | None = None  # the source's, when it decodes its own images


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


CSV_CHUNK = 65_536  # CSV rows converted into one float32 block at a time


@dataclass(frozen=True)
class _CsvLayout:
    """How a CSV's cells become one sample: which column to drop, in which order."""

    drop: int | None  # the target column's index, dropped
    order: list[int] | None  # cell order matching the trained columns, when named
    names: list[str] | None  # column names, for messages


def _read_csv(
    path: Path, name: str, sample_shape: tuple[int, ...], facts: InputFacts
) -> tuple[np.ndarray, Sequence[str]]:
    """One sample per row; a non-numeric first row is a header; drop the `target` column.

    With a header and a model trained on named columns, the columns are matched by
    name (any order); a missing or unknown one is an error naming it. Rows are read one
    at a time into float32 blocks, so a large file is never held as Python lists.
    """
    rows = iter_csv_rows(path)
    first = next(rows, None)
    header = None
    if first is not None and any(c.strip() and not _is_number(c) for c in first[1]):
        header = [c.strip() for c in first[1]]
    elif first is not None:
        rows = itertools.chain([first], rows)
    layout = _csv_layout(header, name, facts)
    blocks = _csv_blocks(rows, name, sample_shape, layout)
    if not blocks:
        raise DataError(f"{name}: has no data rows")
    x = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    return x.reshape((len(x), *sample_shape)), Indexed(name, len(x), "{name}:row {n}")


def _csv_layout(header: list[str] | None, name: str, facts: InputFacts) -> _CsvLayout:
    target = facts.target
    if header:
        refuse_duplicate_columns(header, name)
    drop = header.index(target) if header and target in header else None
    columns = [h for j, h in enumerate(header) if j != drop] if header else None
    trained_on = facts.preprocessing.get("columns")
    order = column_order(columns, trained_on, name) if columns and trained_on else None
    return _CsvLayout(drop, order, trained_on if order is not None else columns)


def _csv_blocks(rows, name: str, sample_shape: tuple[int, ...], layout: _CsvLayout):
    """The rows' samples as float32 blocks of CSV_CHUNK rows (the last one shorter)."""
    size = math.prod(sample_shape)
    blocks, block, filled = [], np.empty((CSV_CHUNK, size), np.float32), 0
    for line, row in rows:
        block[filled] = _csv_sample(row, line, name, sample_shape, layout)
        filled += 1
        if filled == CSV_CHUNK:
            blocks.append(block)
            block, filled = np.empty((CSV_CHUNK, size), np.float32), 0
    if filled:
        blocks.append(block[:filled].copy())  # not the unused rest of the block
    return blocks


def _csv_sample(row: list[str], line: int, name: str, sample_shape, layout: _CsvLayout):
    size = math.prod(sample_shape)
    cells = [c for j, c in enumerate(row) if j != layout.drop]
    if len(cells) != size:
        hint = "" if layout.drop is not None else " (if one column is the target, give it a header)"
        raise DataError(
            f"{name}: a sample (line {line}) has {len(cells)} values but the model takes "
            f"{sample_shape} = {size} values{hint}"
        )
    if layout.order is not None:
        cells = [cells[j] for j in layout.order]
    return [csv_number(c, f"{name}:", line, _column(layout.names, j)) for j, c in enumerate(cells)]


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

    if facts.decode_image is not None:  # decoded as training did
        pixels = facts.decode_image(file.read(), name, facts.preprocessing)
        return pixels.reshape((1, *sample_shape)), [name]
    mode, size = _image_target(sample_shape, name)
    try:
        with Image.open(file) as img:
            check_image(*img.size, name)  # from the header, before decoding
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
