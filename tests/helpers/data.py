"""Small data built in the test: inline XOR, a tiny MNIST-shaped set, IDX folders, a tiny
IMDB, and files whose headers declare more data than they hold (.npy/.npz, PNG)."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from dlcli.config.schema import DataConfig

XOR = {"dataset": "inline", "x": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [[0], [1], [1], [0]]}


def cfg(**fields) -> DataConfig:
    return DataConfig.model_validate(fields)


def tiny_mnist(n_train: int = 30, n_test: int = 10) -> dict[str, np.ndarray]:
    r = np.random.default_rng(0)
    return {
        "x_train": r.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": r.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], ext: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        "x_train": "train-images-idx3-ubyte",
        "y_train": "train-labels-idx1-ubyte",
        "x_test": "t10k-images-idx3-ubyte",
        "y_test": "t10k-labels-idx1-ubyte",
    }
    for key, name in names.items():
        write_idx(folder / f"{name}{ext}", arrays[key])


def write_tiny_imdb(folder: Path) -> None:
    seqs = np.empty(4, dtype=object)
    seqs[:] = [[5, 50, 7], list(range(10, 30)), [1, 2], [40, 4, 4, 4, 4, 4, 4, 4]]
    labels = np.array([0, 1, 0, 1])
    np.savez(folder / "imdb.npz", x_train=seqs, y_train=labels, x_test=seqs, y_test=labels)




def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """The header of a .npy file declaring `shape`, with none of its data."""
    from numpy.lib import format as npy

    out = io.BytesIO()
    npy.write_array_header_1_0(out, {"descr": descr, "fortran_order": False, "shape": shape})
    return out.getvalue()


def header_only_npz(path: Path, **members: tuple[int, ...]) -> Path:
    """An .npz whose members declare `shape`s and hold nothing: a few hundred bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, shape in members.items():
            archive.writestr(f"{name}.npy", npy_header(shape))
    return path


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width x height (8-bit grayscale) and holds no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")
