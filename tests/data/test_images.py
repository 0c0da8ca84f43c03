"""Colour inversion is decided from an image's border, against the training background."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dlcli.data.images import border_mean, should_invert, training_background
from dlcli.data.inputs import read_inputs
from dlcli.errors import DataError

DARK = {"image_background": "dark"}


def big_white_shape_on_black() -> np.ndarray:
    """A white garment filling most of a black frame: mean pixel > 127, border ~10."""
    image = np.full((28, 28), 10, dtype=np.uint8)
    image[3:25, 3:25] = 255
    image[3:10, 10:18] = 10  # a neckline, so it is not a plain square
    return image


def test_a_bright_object_on_a_dark_border_is_not_inverted(tmp_path: Path) -> None:
    """The fault of the mean-based rule: mean > 127 was inverted though the background
    (the border) is black, as in MNIST."""
    image = big_white_shape_on_black()
    assert image.mean() > 127 and border_mean(image.astype(float)) < 20
    Image.fromarray(image).save(tmp_path / "garment.png")
    x, labels = read_inputs([str(tmp_path / "garment.png")], (28, 28), preprocessing=DARK)
    np.testing.assert_array_equal(x[0], image.astype(np.float32))
    assert labels == [str(tmp_path / "garment.png")]


def test_dark_ink_on_white_paper_is_inverted(tmp_path: Path) -> None:
    image = 255 - big_white_shape_on_black()
    Image.fromarray(image).save(tmp_path / "paper.png")
    x, labels = read_inputs([str(tmp_path / "paper.png")], (28, 28), preprocessing=DARK)
    np.testing.assert_array_equal(x[0], 255.0 - image)
    assert labels[0].endswith("(inverted)")


@pytest.mark.parametrize(("invert", "inverted"), [("always", True), ("never", False)])
def test_invert_always_and_never_override_the_border(tmp_path, invert, inverted) -> None:
    image = big_white_shape_on_black()
    Image.fromarray(image).save(tmp_path / "g.png")
    x, _ = read_inputs([str(tmp_path / "g.png")], (28, 28), invert=invert, preprocessing=DARK)
    expected = 255.0 - image if inverted else image.astype(np.float32)
    np.testing.assert_array_equal(x[0], expected)


def test_a_model_trained_on_light_backgrounds_inverts_dark_ones(tmp_path: Path) -> None:
    image = big_white_shape_on_black()
    Image.fromarray(image).save(tmp_path / "g.png")
    x, _ = read_inputs([str(tmp_path / "g.png")], (28, 28),
                       preprocessing={"image_background": "light"})  # fmt: skip
    np.testing.assert_array_equal(x[0], 255.0 - image)


def test_an_unknown_invert_mode_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="invert must be one of auto, always, never"):
        read_inputs([str(tmp_path / "g.png")], (28, 28), invert="sometimes")


def test_training_background_reads_the_border_in_the_datas_own_range() -> None:
    dark = np.zeros((5, 28, 28))
    dark[:, 4:24, 4:24] = 1.0  # 0..1 images, mostly bright, black border
    assert training_background(dark) == "dark"
    assert training_background(1.0 - dark) == "light"
    assert training_background(np.zeros((5, 4))) is None  # features, not images
    assert not should_invert(big_white_shape_on_black().astype(float), "auto", "dark")
