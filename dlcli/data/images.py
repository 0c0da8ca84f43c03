"""Light or dark background: which way round an image's colours are.

MNIST and Fashion-MNIST are light shapes on a black background; a photo of a digit on
paper is the opposite, and a model fed it unchanged sees nonsense. Whether an image is
light-on-dark is read from its border (the background around the object), never from
its overall mean: a white-on-black photo of a large garment can have a mean pixel above
the middle grey while its border is nearly black. The training images' background is
recorded in preprocessing.json, so predict and the server invert an input only when its
background is the other way round from the training data's. numpy only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")  # what Pillow and Keras's reader take
INVERT_MODES = ("auto", "always", "never")
Background = Literal["dark", "light"]
PIXEL_MAX = 255.0  # image files hold 0..255 pixels
MIN_SIDE = 8  # smaller "images" are feature grids, not pictures with a background
BACKGROUND_SAMPLE = 1000  # training images looked at to decide their background


def border_width(height: int, width: int) -> int:
    """The ring read as background: 2 pixels on a 28x28 image, at least 1."""
    return max(1, round(min(height, width) / 14))


def border_mean(image: np.ndarray) -> float:
    """The mean of an (h, w) or (h, w, c) image's outer ring of pixels."""
    h, w = image.shape[:2]
    b = border_width(h, w)
    ring = np.ones((h, w), dtype=bool)
    ring[b : h - b, b : w - b] = False
    return float(image[ring].mean())


def is_grayscale_image(shape: tuple[int, ...]) -> bool:
    """(h, w) or (h, w, 1) with both sides at least MIN_SIDE."""
    if len(shape) == 3 and shape[2] == 1:
        shape = shape[:2]
    return len(shape) == 2 and min(shape) >= MIN_SIDE


def training_background(x_train: np.ndarray) -> Background | None:
    """'dark' or 'light' for grayscale training images (None for other data).

    Judged against the middle of the training data's own range, so images stored as
    0..1 and as 0..255 are both read correctly.
    """
    if x_train.dtype == object or not is_grayscale_image(tuple(x_train.shape[1:])):
        return None
    sample = np.asarray(x_train[:BACKGROUND_SAMPLE], dtype=np.float64)
    if sample.ndim == 4:
        sample = sample[..., 0]
    low, high = float(sample.min()), float(sample.max())
    borders = np.mean([border_mean(image) for image in sample])
    return "light" if borders > (low + high) / 2 else "dark"


def should_invert(pixels: np.ndarray, invert: str, background: Background | None) -> bool:
    """Whether to invert a grayscale image of 0..255 pixels (`invert`: auto|always|never).

    auto: when its border is on the other side of mid-grey from the training images'
    background (MNIST's is dark, so a dark digit on white paper is inverted).
    """
    if invert == "always":
        return True
    if invert == "never":
        return False
    light = border_mean(pixels) > PIXEL_MAX / 2
    return light != ((background or "dark") == "light")
