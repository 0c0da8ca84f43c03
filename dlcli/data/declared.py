"""What a data file declares about its size, checked before anything is allocated.

A 7.7 MB compressed .npz can hold an array that inflates to 8 GB, and a small PNG a
13000x13000 image: read first and checked after, either fills the memory before any
message. So the size is taken from what the file declares — a .npy header (or each .npz
member's, read through zipfile), a CSV's row and column count (counted streaming), an
image header (Pillow reads its size without decoding) — and refused above the memory
dlcli may use (dlcli.config.memory, the measure the model's estimate is compared with),
with both numbers. Complex arrays are refused here too, from the header's dtype: a model
takes real numbers. numpy and the standard library only.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from dlcli.config.memory import memory_shortfall, size_text
from dlcli.data.validation import complex_problem
from dlcli.errors import DataError

CSV_VALUE_BYTES = 8  # a CSV body is read as float64
FLOAT32_BYTES = 4  # the copy preprocessing (or predict) casts every array to
IMAGE_BYTES_PER_PIXEL = 8  # a floor: 4 channels of 8 bits decoded, and one converted copy

Declared = tuple[tuple[int, ...], np.dtype]  # (shape, dtype) from an array's header


def npy_header(handle: BinaryIO, where: str) -> Declared:
    """(shape, dtype) from the header of the .npy data `handle` is at; the data unread."""
    from numpy.lib import format as npy

    try:
        version = npy.read_magic(handle)
        read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, _, dtype = read(handle)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"cannot read {where} as a .npy array: {error}") from None
    return tuple(int(d) for d in shape), dtype


def check_npy(path: Path) -> None:
    """Refuse a .npy file whose header declares a complex or too large array."""
    with path.open("rb") as handle:
        declared = npy_header(handle, repr(str(path)))
    check_declared(str(path), {"": declared})


def check_npz(path: Path, archive: zipfile.ZipFile, names: Iterable[str]) -> None:
    """Refuse reading the members `names` of an .npz whose headers declare a complex array
    or, together, more than the memory available (a compressed member is inflated only
    as far as its header)."""
    members = set(archive.namelist())
    declared = {}
    for name in names:
        member = f"{name}.npy" if f"{name}.npy" in members else name
        with archive.open(member) as handle:
            declared[name] = npy_header(handle, f"{str(path)!r} ({name})")
    check_declared(str(path), declared)


def check_declared(where: str, declared: dict[str, Declared]) -> None:
    """Complex arrays refused; the arrays' bytes together checked against memory.
    `declared`: each array by its name in an .npz ("" for a .npy file's one array)."""
    for name, (_, dtype) in declared.items():
        problem = complex_problem(dtype, f"{where}:{name}" if name else where)
        if problem:
            raise DataError(problem)
    sizes = {name: _bytes_read(shape, dtype) for name, (shape, dtype) in declared.items()}
    total, largest = sum(sizes.values()), max(sizes, key=sizes.__getitem__)
    shape, dtype = declared[largest]
    array = f"the largest, {largest}," if largest else "the array"
    check_fits(total, f"{where}: its header declares arrays that need at least "
               f"{size_text(total)} to read, as stored and as float32 ({array} is "
               f"{list(shape)} of {dtype})")  # fmt: skip


def _bytes_read(shape: tuple[int, ...], dtype: np.dtype) -> int:
    """An array as stored plus the float32 copy preprocessing makes of it: a floor."""
    return math.prod(shape) * (dtype.itemsize + FLOAT32_BYTES)


def check_csv(where: str, rows: int, columns: int) -> None:
    """A CSV body of `rows` x `columns` float64 values, checked before it is allocated."""
    needed = rows * columns * CSV_VALUE_BYTES
    check_fits(needed, f"{where}: {rows:,} rows of {columns} columns are {size_text(needed)} "
               "as float64")  # fmt: skip


def check_image(width: int, height: int, name: str) -> None:
    """An image's declared width x height, checked before it is decoded."""
    needed = width * height * IMAGE_BYTES_PER_PIXEL
    check_fits(needed, f"{name}: a {width}x{height} image (width x height) needs at least "
               f"{size_text(needed)} to decode")  # fmt: skip


def check_fits(needed: int, what: str) -> None:
    """Refuse `needed` bytes when they exceed the share of memory dlcli may use."""
    available = memory_shortfall(needed)
    if available is not None:
        raise DataError(
            f"{what}, but this machine has {size_text(available)} available "
            "(DLCLI_MEMORY_LIMIT, if set, caps it): refused before loading it; use a smaller "
            "file, or a subset of it"
        )
