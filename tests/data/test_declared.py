"""dlcli.data.declared: a data file's declared size is checked against memory before it is
read, and a complex array is refused from its header. The huge files here are tiny:
headers that declare shapes nothing could hold, or DLCLI_MEMORY_LIMIT set low."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dlcli.data.formats import load_npy, load_npz, read_csv
from dlcli.data.inputs import InputFacts, read_image
from dlcli.errors import DataError
from tests.helpers.data import header_only_npz, npy_header, png_header

HUGE = (1_000_000_000, 1_000_000)  # 8 EB of float64: larger than any machine's memory


def test_an_npz_member_declaring_more_than_memory_is_refused_unread(tmp_path: Path) -> None:
    path = header_only_npz(tmp_path / "huge.npz", x_train=HUGE, y_train=(HUGE[0],))
    with pytest.raises(DataError) as caught:
        load_npz(path)
    message = str(caught.value)
    assert "huge.npz: its header declares arrays that need at least" in message
    assert "x_train, is [1000000000, 1000000] of float64" in message
    assert "available" in message and "refused before loading it" in message


def test_a_compressed_npz_is_checked_as_inflated(tmp_path: Path, monkeypatch) -> None:
    """4 MB of zeros compress to a few KB; the check counts what they inflate to."""
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, x=np.zeros(500_000), y=np.zeros(500_000))
    assert path.stat().st_size < 100_000
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "4M")
    with pytest.raises(DataError, match=r"need at least 11.4 MiB .* 4.0 MiB available"):
        load_npz(path)
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "64M")
    assert load_npz(path)["x"].shape == (500_000,)


def test_only_the_members_read_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "mixed.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("huge.npy", npy_header(HUGE))
        buffer = io.BytesIO()
        np.save(buffer, np.arange(3.0))
        archive.writestr("x.npy", buffer.getvalue())
    assert load_npz(path, pick=lambda names: ["x"])["x"].tolist() == [0.0, 1.0, 2.0]


def test_an_npy_header_declaring_more_than_memory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "huge.npy").write_bytes(npy_header(HUGE))
    with pytest.raises(DataError, match=r"huge.npy: .* \(the array is \[1000000000, 1000000\]"):
        load_npy(tmp_path / "huge.npy")


def test_complex_arrays_are_refused_at_load(tmp_path: Path) -> None:
    np.savez(tmp_path / "c.npz", x_train=np.ones((3, 2), np.complex64), y_train=np.zeros(3))
    with pytest.raises(DataError, match=r"c.npz:x_train: holds complex numbers \(complex64\)"):
        load_npz(tmp_path / "c.npz")
    np.save(tmp_path / "c.npy", np.ones(3, np.complex128))
    with pytest.raises(DataError, match=r"c.npy: holds complex numbers \(complex128\)"):
        load_npy(tmp_path / "c.npy")


def test_a_csv_body_larger_than_memory_is_refused_before_allocation(tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    path.write_text("a,b,y\n" + "1,2,3\n" * 50_000)
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "1M")
    with pytest.raises(DataError, match=r"wide.csv': 50,000 rows of 3 columns are 1.1 MiB"):
        read_csv(path)
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "2M")
    assert read_csv(path)[1].shape == (50_000, 3)


def test_csv_duplicate_column_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dup.csv").write_text("a,a,y\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match=r"dup.csv': column 'a' appears more than once"):
        read_csv(tmp_path / "dup.csv")


def test_an_image_is_refused_from_its_header_before_decoding(monkeypatch) -> None:
    """9000x9000 is under Pillow's decompression-bomb limit, so only the check stops it."""
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "64M")
    facts = InputFacts(None, "never", {})
    with pytest.raises(DataError, match=r"big.png: a 9000x9000 image .* needs at least 618.0"):
        read_image(io.BytesIO(png_header(9_000, 9_000)), "big.png", (28, 28), facts)


def test_an_image_folder_is_checked_image_by_image_when_scanned(tmp_path, monkeypatch) -> None:
    """Each image is decoded whole when the folder is streamed: its header is checked."""
    from PIL import Image

    from dlcli.data.image_folder import scan_folder

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        Image.new("L", (3000, 2000)).save(tmp_path / name / "0.png")  # a few KB of zeros
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "16M")
    with pytest.raises(DataError, match=r"0.png': a 3000x2000 image .* needs at least 45.8 MiB"):
        scan_folder(tmp_path)
    monkeypatch.setenv("DLCLI_MEMORY_LIMIT", "64M")
    assert scan_folder(tmp_path).total == 2


def test_an_idx_file_is_checked_from_its_dimensions_before_it_is_inflated(tmp_path) -> None:
    """A gzip IDX whose dims declare 4 EB: refused after reading its 16-byte header."""
    import gzip
    import struct

    from dlcli.data.formats import read_idx

    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x03" + struct.pack(">III", 2**30, 2**16, 2**16)))
    with pytest.raises(DataError, match=r"idx3-ubyte.gz: its header declares .* \[1073741824"):
        read_idx(path)
