"""Prediction inputs: arrays, CSV rows and images become samples of the model's shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dlcli.errors import DataError
from dlcli.inputs import read_inputs


def test_npy_single_sample_and_batch(tmp_path: Path) -> None:
    np.save(tmp_path / "one.npy", np.arange(4, dtype="float32"))
    np.save(tmp_path / "many.npy", np.ones((3, 4), dtype="float32"))
    x, labels = read_inputs([str(tmp_path / "one.npy"), str(tmp_path / "many.npy")], (4,))
    assert x.shape == (4, 4) and x.dtype == np.float32
    assert x[0].tolist() == [0, 1, 2, 3]
    assert labels[0].endswith("one.npy") and labels[1].endswith("many.npy[0]")


def test_npz_uses_x_or_x_test(tmp_path: Path) -> None:
    np.savez(tmp_path / "a.npz", x_test=np.zeros((2, 28, 28)), y_test=np.zeros(2))
    x, _ = read_inputs([str(tmp_path / "a.npz")], (28, 28))
    assert x.shape == (2, 28, 28)


def test_csv_with_header_drops_the_target_column(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,b,label\n1,2,0\n3,4,1\n")
    x, labels = read_inputs([str(tmp_path / "d.csv")], (2,), target="label")
    assert x.tolist() == [[1, 2], [3, 4]] and len(labels) == 2
    (tmp_path / "n.csv").write_text("1,2\n3,4\n5,6\n")
    x, _ = read_inputs([str(tmp_path / "n.csv")], (2,))
    assert x.shape == (3, 2)


def test_png_digit_keeps_mnist_polarity_and_inverts_the_opposite(tmp_path: Path) -> None:
    digit = np.zeros((28, 28), dtype="uint8")
    digit[5:23, 12:16] = 255  # a white "1" on black, as MNIST draws it
    Image.fromarray(digit).save(tmp_path / "white_on_black.png")
    Image.fromarray(255 - digit).save(tmp_path / "black_on_white.png")
    x, labels = read_inputs([str(tmp_path / "white_on_black.png"),
                             str(tmp_path / "black_on_white.png")], (784,))  # fmt: skip
    assert x.shape == (2, 784) and x.max() == 255
    assert np.array_equal(x[0], x[1])  # the inverted one reads as the MNIST one
    assert "inverted" in labels[1] and "inverted" not in labels[0]


def test_larger_rgb_jpeg_is_resized_to_the_model_input(tmp_path: Path) -> None:
    Image.new("RGB", (64, 48), (200, 10, 10)).save(tmp_path / "photo.jpg")
    x, _ = read_inputs([str(tmp_path / "photo.jpg")], (32, 32, 3))
    assert x.shape == (1, 32, 32, 3)
    assert x[0, :, :, 0].mean() > 150 and x[0, :, :, 1].mean() < 50


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("wrong.npy", None, "(784,)"),
        ("broken.png", b"not an image at all", "broken.png"),
        ("data.txt", b"1,2", "unsupported file type"),
    ],
)
def test_bad_inputs_name_the_file_and_the_problem(tmp_path, name, content, message) -> None:
    path = tmp_path / name
    if content is None:
        np.save(path, np.zeros((2, 10)))
    else:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_inputs([str(path)], (784,))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_inputs([str(tmp_path / "nope.png")], (784,))
