"""dlcli.data.image_folder: the scan's messages, sizes, and batches streamed from disk."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dlcli.config.schema import DataConfig
from dlcli.data.image_folder import decode_like_training, scan_folder
from dlcli.data.inputs import read_inputs
from dlcli.data.pipeline import load_dataset
from dlcli.data.sources import source_for
from dlcli.errors import DataError


def image_folder(root, sizes=((20, 20), (30, 24)), per_class: int = 4):
    for k, name in enumerate(("cat", "dog")):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            size = sizes[i % len(sizes)]  # (width, height), as Pillow takes it
            pixels = np.full((size[1], size[0], 3), 60 + 120 * k, dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def cfg(path, validation_split: float = 0.25, **spec) -> DataConfig:
    return DataConfig.model_validate({
        "dataset": "image_folder", "path": str(path), "labels": "sparse",
        "validation_split": validation_split,
        "image_folder": {"image_size": [8, 8], "resize": True, "color_mode": "grayscale", **spec},
    })  # fmt: skip


def test_streams_resized_scaled_batches_with_class_names(tmp_path) -> None:
    data = load_dataset(cfg(image_folder(tmp_path)), 0)
    assert data.preprocessing["class_names"] == ["cat", "dog"]
    assert data.info["train_samples"] == 6 and data.info["validation_samples"] == 2
    assert data.x_train.shape == (1, 8, 8, 1)  # a probe for the checks, not the data
    train, val = data.stream(4)
    batches = list(train)
    images = np.concatenate([np.asarray(x) for x, _ in batches])
    labels = np.concatenate([np.asarray(y) for _, y in batches])
    assert images.shape == (6, 8, 8, 1) and images.max() <= 1.0
    dark = images[labels == 0].mean()
    assert dark < images[labels == 1].mean()  # labels follow the folders
    assert sum(len(np.asarray(y)) for _, y in val) == 2


def test_a_folder_without_class_subfolders_is_refused(tmp_path) -> None:
    Image.new("L", (4, 4)).save(tmp_path / "loose.png")
    with pytest.raises(DataError, match="one subfolder per class .*found 0"):
        load_dataset(cfg(tmp_path), 0)


def test_an_unreadable_image_is_named(tmp_path) -> None:
    image_folder(tmp_path)
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DataError, match=r"broken.png.*not a readable image"):
        load_dataset(cfg(tmp_path), 0)


def test_a_class_without_images_is_refused(tmp_path) -> None:
    image_folder(tmp_path)
    (tmp_path / "bird").mkdir()
    (tmp_path / "bird" / "notes.txt").write_text("no images here")
    with pytest.raises(DataError, match="class 'bird' holds no PNG/JPEG images"):
        load_dataset(cfg(tmp_path), 0)


def test_mixed_sizes_are_refused_naming_two_images(tmp_path) -> None:
    image_folder(tmp_path)  # 20x20 and 24x30 (height x width) images
    with pytest.raises(DataError) as caught:
        load_dataset(cfg(tmp_path, resize=False, image_size=None), 0)
    message = str(caught.value)
    assert "its images differ in size: cat/0.png is 20x20 and cat/1.png is 24x30" in message
    assert "resize: true" in message


def test_one_size_needs_no_image_size_and_a_wrong_one_is_named(tmp_path) -> None:
    image_folder(tmp_path, sizes=((12, 10),))  # 10 high, 12 wide
    data = load_dataset(cfg(tmp_path, resize=False, image_size=None), 0)
    assert data.preprocessing["input_shape"] == [10, 12, 1]
    expected = r"are 10x12 .* data.image_folder.image_size is 12x10: set image_size: \[10, 12\]"
    with pytest.raises(DataError, match=expected):
        load_dataset(cfg(tmp_path, resize=False, image_size=[12, 10]), 0)


def test_predict_decodes_a_training_image_to_the_pixels_training_saw(tmp_path) -> None:
    root = tmp_path / "images"
    for k, name in enumerate(("a", "b")):
        (root / name).mkdir(parents=True)
        noise = np.random.default_rng(k).integers(0, 256, (30, 24, 3), dtype=np.uint8)
        Image.fromarray(noise).save(root / name / "only.png")  # resized 30x24 -> 8x8
    data = load_dataset(cfg(root, color_mode="rgb", validation_split=0.0), 0)
    train, _ = data.stream(2)
    x, y = next(iter(train))
    seen = {int(label): np.asarray(image) for image, label in zip(x, y, strict=True)}
    prep = data.preprocessing
    decode = source_for("image_folder").decode_image  # predict's, as `dlcli predict` reads
    for k, name in enumerate(("a", "b")):
        pixels, _ = read_inputs([str(root / name / "only.png")], (8, 8, 3), preprocessing=prep,
                                decode_image=decode)  # fmt: skip
        np.testing.assert_array_equal(pixels[0] / 255.0, seen[k])


def test_predict_refuses_another_size_when_training_did_not_resize(tmp_path) -> None:
    image_folder(tmp_path, sizes=((8, 8),))
    prep = load_dataset(cfg(tmp_path, resize=False, image_size=None), 0).preprocessing
    other = io.BytesIO()
    Image.new("L", (16, 16)).save(other, format="PNG")
    with pytest.raises(DataError, match="is 16x16 pixels .* trained on 8x8 images"):
        decode_like_training(other.getvalue(), "big.png", prep)


def test_the_folder_digest_follows_paths_inside_the_folder(tmp_path) -> None:
    image_folder(tmp_path)
    before = scan_folder(tmp_path).digest
    (tmp_path / "cat" / "deeper").mkdir()
    (tmp_path / "cat" / "0.png").rename(tmp_path / "cat" / "deeper" / "0.png")
    assert scan_folder(tmp_path).digest != before  # same bytes, another place
