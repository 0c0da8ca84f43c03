"""Readers for the data files dlcli accepts: npz, npy, csv and IDX (MNIST's format).

numpy and the standard library only, so reading data never imports TensorFlow. Every
problem with a file is raised as a `DataError` that names the file and what to fix.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import itertools
import math
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from dlcli.data.columns import refuse_duplicate_columns
from dlcli.data.declared import check_csv, check_declared, check_npy, check_npz
from dlcli.errors import DataError

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The four IDX files of an MNIST-style folder, as MNIST names them.
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def sha256(path: str | Path) -> str:
    """The hex sha256 of a file, read in chunks so large files do not fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record(files: dict[str, str], path: str | Path) -> None:
    """Add a file that was read to `files` (absolute path -> sha256)."""
    absolute = os.path.abspath(path)
    files[absolute] = sha256(absolute)


def require_file(path: str | Path, what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{what} {str(p)!r} does not exist (or is not a file): check `path:`")
    return p


def load_npz(
    path: str | Path,
    allow_pickle: bool = False,
    pick: Callable[[list[str]], list[str]] | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of an npz file (those `pick` chooses from its names, else all), loaded
    into memory; the file is closed afterwards."""
    p = require_file(path, "npz file")
    if not zipfile.is_zipfile(p) and p.read_bytes()[:6] != b"\x93NUMPY":
        raise DataError(f"{str(p)!r} is not an npz archive (the zip of arrays np.savez writes)")
    try:
        with np.load(p, allow_pickle=allow_pickle) as f:
            if not hasattr(f, "files"):  # np.load also reads .npy: not an archive
                raise DataError(f"{str(p)!r} is a single .npy array, not an .npz archive")
            names = pick(list(f.files)) if pick else f.files
            check_npz(p, f.zip, names)  # from the headers, before any member is inflated
            return {name: f[name] for name in names}
    except DataError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"cannot read {str(p)!r} as an npz archive: {exc}") from exc


def load_npy(path: str | Path) -> np.ndarray:
    p = require_file(path, "npy file")
    check_npy(p)  # from the header, before the data is read
    try:
        return np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"cannot read {str(p)!r} as a .npy array: {exc}") from exc


def pick_arrays(
    arrays: dict[str, np.ndarray], pairs: list[tuple[str, str]], path: str | Path
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """The first (x, y) name pair present in `arrays`; y may be missing, x may not.

    Returns x, y (or None) and the x name used, or raises naming what the file has.
    """
    for x_name, y_name in pairs:
        if x_name in arrays:
            return arrays[x_name], arrays.get(y_name), x_name
    expected = " or ".join(f"{x}/{y}" for x, y in pairs)
    raise DataError(
        f"{str(path)!r} has arrays {sorted(arrays) or 'none'}; expected {expected}. "
        "Save it with e.g. np.savez(path, x_train=..., y_train=...)"
    )


def read_csv_rows(path: str | Path) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a csv file, each with its 1-based line number (as an editor
    shows it). The one csv reader: categorical and text files read them all at once;
    read_csv and predict inputs (dlcli.data.inputs) one at a time, through iter_csv_rows."""
    return list(iter_csv_rows(path))


def iter_csv_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """read_csv_rows one row at a time, so a large file is never held as Python lists."""
    p = require_file(path, "csv file")
    try:
        with open(p, newline="", encoding="utf-8-sig") as f:
            for line, row in enumerate(csv.reader(f), start=1):
                if any(cell.strip() for cell in row):
                    yield line, row
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read {str(p)!r} as csv: {exc}") from exc


def csv_number(cell: str, where: str, line: int, column: str) -> float:
    """One csv cell as a float, or a DataError naming the file, line and column."""
    try:
        return float(cell)
    except ValueError:
        raise DataError(
            f"{where} line {line}, {column}: {cell!r} is not a number "
            "(every cell must be numeric; name category columns in data.categorical)"
        ) from None


def read_csv(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Header and the numeric body (float64, rows x columns) of a csv file. Read twice,
    streaming: once to count the rows, so the body's size is checked against memory
    before it is allocated, then into the body (never held as Python lists)."""
    where = repr(str(path))
    rows = iter_csv_rows(path)
    first = next(rows, None)
    count = sum(1 for _ in rows)
    if first is None or count < 1:
        raise DataError(f"{where} needs a header row and at least one data row")
    header = [name.strip() for name in first[1]]
    refuse_duplicate_columns(header, where)
    check_csv(where, count, len(header))
    body = np.empty((count, len(header)), dtype=np.float64)
    data_rows = itertools.islice(iter_csv_rows(path), 1, count + 1)
    for i, (line, row) in enumerate(data_rows):
        if len(row) != len(header):
            raise DataError(f"{where} line {line}: {len(row)} cells, the header has {len(header)}")
        for j, cell in enumerate(row):
            if not cell.strip():
                raise DataError(
                    f"{where} line {line}, column {header[j]!r}: missing value (fill it "
                    "in or drop the row; dlcli does not guess what an empty cell means)"
                )
            body[i, j] = csv_number(cell, where, line, f"column {header[j]!r}")
    return header, body


def split_csv_columns(
    header: list[str], body: np.ndarray, target: str, path: str | Path
) -> tuple[np.ndarray, np.ndarray]:
    """x = every column but `target`, y = the `target` column (shape (n, 1))."""
    if target not in header:
        raise DataError(
            f"{str(path)!r} has no column {target!r} (set `target:` to one of: {', '.join(header)})"
        )
    j = header.index(target)
    x = np.delete(body, j, axis=1)
    if x.shape[1] == 0:
        raise DataError(f"{str(path)!r}: no input columns left besides target {target!r}")
    return x, body[:, j : j + 1]


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file (optionally gzip-compressed): magic, big-endian dims, then data. The
    dims are read first and checked against memory, so a small .gz cannot inflate past it."""
    p = require_file(path, "IDX file")
    opener = gzip.open if p.suffix == ".gz" else open
    try:
        with opener(p, "rb") as f:
            magic = f.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_DTYPES:
                raise DataError(f"{str(p)!r} is not an IDX file (bad magic number {magic.hex()})")
            dtype, ndim = _IDX_DTYPES[magic[2]], magic[3]
            header = f.read(4 * ndim)
            if len(header) < 4 * ndim:
                raise DataError(f"{str(p)!r} is truncated: its IDX header promises {ndim} "
                                "dimensions")  # fmt: skip
            dims = tuple(int(d) for d in np.frombuffer(header, ">u4", count=ndim))
            check_declared(str(p), {"": (dims, dtype)})  # before the data is read
            expected = math.prod(dims) * dtype.itemsize
            raw = f.read(expected + 1)  # one byte more: trailing data is damage too
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read {str(p)!r}: {exc}") from exc
    if len(raw) != expected:
        held = f"{len(raw)}" if len(raw) < expected else f"more than {expected}"
        raise DataError(
            f"{str(p)!r}: its header says shape {dims} ({expected} bytes of data) "
            f"but it holds {held} bytes: the file is damaged or truncated"
        )
    data = np.frombuffer(raw, dtype).reshape(dims)
    return data.astype(dtype.newbyteorder("="))  # native byte order, writable


def find_idx_files(folder: str | Path) -> dict[str, Path] | None:
    """The four MNIST IDX files in `folder` (gz or not), or None if any is missing."""
    found: dict[str, Path] = {}
    for key, stem in IDX_NAMES.items():
        # Some copies (e.g. Kaggle's) use a dot: train-images.idx3-ubyte.
        stems = (stem, stem.replace("-idx", ".idx"))
        candidates = [Path(folder) / f"{s}{ext}" for s in stems for ext in (".gz", "")]
        match = next((c for c in candidates if c.is_file()), None)
        if match is None:
            return None
        found[key] = match
    return found


def load_idx_folder(folder: str | Path, files: dict[str, str]) -> dict[str, np.ndarray]:
    """x_train, y_train, x_test, y_test from a folder of the four MNIST IDX files."""
    paths = find_idx_files(folder)
    if paths is None:
        wanted = ", ".join(f"{s}[.gz]" for s in IDX_NAMES.values())
        raise DataError(f"{str(folder)!r} must hold the four IDX files {wanted}")
    arrays = {}
    for key, path in paths.items():
        arrays[key] = read_idx(path)
        record(files, path)
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if len(x) != len(y):
            raise DataError(
                f"{str(folder)!r}: {split} images hold {len(x)} samples "
                f"but {split} labels hold {len(y)}"
            )
    return arrays
