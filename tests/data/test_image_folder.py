"""dlcli.data.image_folder: the scan's messages, and batches streamed from disk."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from dlcli.config.schema import DataConfig
from dlcli.data.pipeline import load_dataset
from dlcli.errors import DataError


def image_folder(root, sizes=((20, 20), (30, 24)), per_class: int = 4):
    for k, name in enumerate(("cat", "dog")):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            size = sizes[i % len(sizes)]  # mixed sizes: all are resized
            pixels = np.full((size[1], size[0], 3), 60 + 120 * k, dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def cfg(path, **spec) -> DataConfig:
    return DataConfig.model_validate({
        "dataset": "image_folder", "path": str(path), "labels": "sparse",
        "validation_split": 0.25,
        "image_folder": {"image_size": [8, 8], "color_mode": "grayscale", **spec},
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
