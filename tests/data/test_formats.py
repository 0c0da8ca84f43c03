"""dlcli.data.formats: one reader per file format (csv, npz, npy, IDX), every problem a
DataError naming the file, the line and what to fix."""

from __future__ import annotations

import pytest

from dlcli.data.formats import read_csv, read_csv_rows
from dlcli.data.pipeline import load_dataset
from dlcli.errors import DataError
from tests.helpers.data import cfg, tiny_mnist, write_idx_folder


def test_idx_file_with_a_bad_magic_number_is_a_data_error(tmp_path):
    write_idx_folder(tmp_path / "idx", tiny_mnist(4, 2), "")
    (tmp_path / "idx" / "t10k-labels-idx1-ubyte").write_bytes(b"\x12\x34\x56\x78rest")
    with pytest.raises(DataError, match="not an IDX file"):
        load_dataset(cfg(dataset="idx", path=str(tmp_path / "idx")), seed=0)


def test_truncated_idx_file_is_a_data_error(tmp_path):
    write_idx_folder(tmp_path / "idx", tiny_mnist(4, 2), "")
    images = tmp_path / "idx" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-10])
    with pytest.raises(DataError, match="damaged or truncated"):
        load_dataset(cfg(dataset="idx", path=str(tmp_path / "idx")), seed=0)


def test_one_csv_reader_keeps_editor_line_numbers_and_skips_blank_lines(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeffa,b\n1,2\n\n , \n3,4\n".encode())  # a BOM, as Excel writes
    assert read_csv_rows(path) == [(1, ["a", "b"]), (2, ["1", "2"]), (5, ["3", "4"])]
    header, body = read_csv(path)
    assert header == ["a", "b"] and body.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_csv_mistakes_name_the_file_and_the_line_an_editor_shows(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n\n3,x\n")
    with pytest.raises(DataError, match=r"data.csv' line 4, column 'b': 'x' is not a number"):
        read_csv(path)
    path.write_text("a,b\n1,2,3\n")
    with pytest.raises(DataError, match="line 2: 3 cells, the header has 2"):
        read_csv(path)
    path.write_bytes(b"a,b\n\xff\xfe,1\n")
    with pytest.raises(DataError, match="cannot read .* as csv"):
        read_csv_rows(path)
    with pytest.raises(DataError, match="does not exist"):
        read_csv_rows(tmp_path / "missing.csv")
