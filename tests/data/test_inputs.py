"""Reading prediction inputs: arrays, CSV and images into the model's input shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dlcli.data.inputs import infer_sample_count, read_inputs
from dlcli.errors import DataError


def _digit(light_background: bool) -> Image.Image:
    """A 28x28 grayscale 'digit': a vertical bar, white on black or black on white."""
    pixels = np.zeros((28, 28), dtype=np.uint8)
    pixels[4:24, 12:16] = 255
    if light_background:
        pixels = 255 - pixels
    return Image.fromarray(pixels, mode="L")


def test_npy_single_sample_in_any_layout(tmp_path: Path) -> None:
    sample = np.arange(784, dtype=np.uint8).reshape(28, 28)
    np.save(tmp_path / "one.npy", sample)
    x, labels = read_inputs([str(tmp_path / "one.npy")], (784,))
    assert x.shape == (1, 784) and x.dtype == np.float32
    assert x[0, 783] == 783 % 256  # raw values: no scaling applied
    assert labels == [str(tmp_path / "one.npy")]


def test_npy_batch_gets_one_label_per_row(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.ones((3, 784)))
    x, labels = read_inputs([str(tmp_path / "x.npy")], (28, 28, 1))
    assert x.shape == (3, 28, 28, 1)
    assert labels == [f"{tmp_path / 'x.npy'}[{i}]" for i in range(3)]


def test_npz_uses_x_and_several_files_are_stacked(tmp_path: Path) -> None:
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 4)), y=np.array([0, 1]))
    np.savez(tmp_path / "t.npz", x_test=np.ones((1, 4)), y_test=np.array([1]))
    np.savez(tmp_path / "only.npz", anything=np.full((4,), 2.0))
    paths = [str(tmp_path / n) for n in ("d.npz", "t.npz", "only.npz")]
    x, labels = read_inputs(paths, (4,))
    assert x.shape == (4, 4)
    assert x[:, 0].tolist() == [0, 0, 1, 2]
    assert labels[0].endswith("d.npz:x[0]") and labels[3].endswith("only.npz:anything")


def test_npz_with_ambiguous_arrays_says_how_to_name_them(tmp_path: Path) -> None:
    np.savez(tmp_path / "d.npz", a=np.zeros(4), b=np.zeros(4))
    with pytest.raises(DataError, match="a, b.*'x'"):
        read_inputs([str(tmp_path / "d.npz")], (4,))


def test_csv_without_header(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("1,2,3\n4,5,6\n\n")
    x, labels = read_inputs([str(tmp_path / "d.csv")], (3,))
    assert x.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert labels == [f"{tmp_path / 'd.csv'}:row 1", f"{tmp_path / 'd.csv'}:row 2"]


def test_csv_header_detected_and_target_column_dropped(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,price,b\n1.5,100,2\n3,200,4\n")
    x, labels = read_inputs([str(tmp_path / "d.csv")], (2,), target="price")
    assert x.tolist() == [[1.5, 2], [3, 4]]
    assert len(labels) == 2


def test_csv_bad_cell_names_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,b\n1,2\n3,oops\n")
    with pytest.raises(DataError, match=r"line 3, column 'b': 'oops' is not a number"):
        read_inputs([str(tmp_path / "d.csv")], (2,))


def test_csv_row_with_wrong_width_hints_at_target(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("1,2,3\n")
    with pytest.raises(DataError, match="has 3 values but the model takes .2,. = 2.*target"):
        read_inputs([str(tmp_path / "d.csv")], (2,))


def test_white_on_black_digit_is_kept(tmp_path: Path) -> None:
    _digit(light_background=False).save(tmp_path / "digit7.png")
    x, labels = read_inputs([str(tmp_path / "digit7.png")], (28, 28, 1))
    assert x.shape == (1, 28, 28, 1)
    assert x[0, 10, 13, 0] == 255 and x[0, 0, 0, 0] == 0
    assert labels == [str(tmp_path / "digit7.png")]


def test_black_on_white_digit_is_inverted_like_mnist(tmp_path: Path) -> None:
    _digit(light_background=True).save(tmp_path / "paper.png")
    x, labels = read_inputs([str(tmp_path / "paper.png")], (784,))
    assert x.shape == (1, 784)
    img = x.reshape(28, 28)
    assert img[10, 13] == 255 and img[0, 0] == 0  # digit white, background black
    assert labels == [f"{tmp_path / 'paper.png'} (inverted)"]


def test_large_image_is_resized_to_the_model_input(tmp_path: Path) -> None:
    _digit(light_background=False).resize((280, 200)).save(tmp_path / "big.png")
    x, _ = read_inputs([str(tmp_path / "big.png")], (28, 28))
    assert x.shape == (1, 28, 28)
    assert x.min() >= 0 and x.max() <= 255 and x.max() > 200


def test_rgb_jpeg_into_colour_model(tmp_path: Path) -> None:
    Image.new("RGB", (64, 48), (200, 30, 10)).save(tmp_path / "cat.jpg", quality=95)
    x, labels = read_inputs([str(tmp_path / "cat.jpg")], (32, 32, 3))
    assert x.shape == (1, 32, 32, 3)
    r, g, b = x[0, 16, 16]
    assert r > 180 and g < 60 and b < 40  # colours kept, light image not inverted
    assert "inverted" not in labels[0]


def test_wrong_shape_says_what_the_model_takes(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.zeros(10))
    with pytest.raises(
        DataError, match=r"x\.npy: a sample has shape \(10,\) but the model takes \(784,\)"
    ):
        read_inputs([str(tmp_path / "x.npy")], (784,))


def test_garbage_with_png_extension_is_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"this is not a png at all")
    with pytest.raises(DataError, match=r"broken\.png: cannot read as an image"):
        read_inputs([str(tmp_path / "broken.png")], (784,))


def test_truncated_png_is_reported(tmp_path: Path) -> None:
    _digit(light_background=False).save(tmp_path / "d.png")
    data = (tmp_path / "d.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"cut\.png: cannot read as an image"):
        read_inputs([str(tmp_path / "cut.png")], (784,))


def test_image_for_a_non_image_model_is_refused(tmp_path: Path) -> None:
    _digit(light_background=False).save(tmp_path / "d.png")
    with pytest.raises(DataError, match="not an image"):
        read_inputs([str(tmp_path / "d.png")], (10,))


def test_unknown_extension_lists_supported_ones(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("1 2 3")
    with pytest.raises(DataError, match=r"unsupported file type '\.txt'.*\.npy.*\.csv.*\.png"):
        read_inputs([str(tmp_path / "data.txt")], (3,))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nope.npy: no such file"):
        read_inputs([str(tmp_path / "nope.npy")], (3,))


@pytest.mark.parametrize(
    ("shape", "sample_shape", "expected"),
    [
        ((784,), (784,), 1),
        ((28, 28), (784,), 1),
        ((5, 784), (28, 28, 1), 5),
        ((5, 28, 28), (28, 28, 1), 5),
        ((7,), (1,), 7),
        ((10,), (784,), None),
    ],
)
def test_infer_sample_count(shape, sample_shape, expected) -> None:
    assert infer_sample_count(shape, sample_shape) == expected


def test_an_npz_without_an_input_array_names_what_it_holds(tmp_path) -> None:
    np.savez(tmp_path / "two.npz", a=np.ones((2, 4)), b=np.zeros((2, 4)))
    with pytest.raises(DataError, match=r"two.npz: holds arrays a, b; name the inputs 'x'"):
        read_inputs([str(tmp_path / "two.npz")], (4,))
    np.savez(tmp_path / "one.npz", only=np.ones((2, 4)))
    x, labels = read_inputs([str(tmp_path / "one.npz")], (4,))
    assert x.shape == (2, 4)
    assert [s.rsplit("/", 1)[-1] for s in labels] == ["one.npz:only[0]", "one.npz:only[1]"]


def test_a_csv_is_read_in_blocks_with_every_row_in_order(tmp_path, monkeypatch) -> None:
    import dlcli.data.inputs as inputs

    monkeypatch.setattr(inputs, "CSV_CHUNK", 3)  # 7 rows: blocks of 3, 3 and 1
    rows = "\n".join(f"{i},{i * 10},{i * 100}" for i in range(1, 8))
    (tmp_path / "p.csv").write_text("b,label,a\n" + rows + "\n")
    x, labels = read_inputs([str(tmp_path / "p.csv")], (2,), target="label",
                            preprocessing={"columns": ["a", "b"]})  # fmt: skip
    assert x.tolist() == [[100.0 * i, float(i)] for i in range(1, 8)]  # by name, a first
    assert [labels[0], labels[6], len(labels)] == [f"{tmp_path}/p.csv:row 1",
                                                   f"{tmp_path}/p.csv:row 7", 7]  # fmt: skip
