"""`dataset: image_folder`: one subfolder per class of PNG/JPEG images, streamed from disk.

The folder is scanned first (no TensorFlow): every class must hold images, every image
must open. Training then reads it batch by batch through Keras's
`image_dataset_from_directory` (a tf.data pipeline), so a folder larger than memory
trains with memory bounded by a few batches. Images are resized to `image_size`
(bilinear), converted to grayscale or RGB and divided by `scale`, at training and at
`predict` time alike; the class names are recorded for `predict`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import ImageFolderData
from dlcli.config.schema import DataConfig
from dlcli.data.dataset import Dataset
from dlcli.data.preprocess import preprocess_labels
from dlcli.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")  # what Keras's reader takes


def load_image_folder(cfg: DataConfig, seed: int) -> Dataset:
    spec = cfg.image_folder or ImageFolderData()
    assert cfg.path is not None  # the schema requires it
    folder = Path(cfg.path)
    images = scan_folder(folder)
    classes = list(images)
    total = sum(len(paths) for paths in images.values())
    val_fraction = cfg.validation_split if cfg.validation == "split" else 0.0
    val_count = int(total * val_fraction)
    if val_count >= total:
        raise DataError(f"validation_split {cfg.validation_split} leaves no training images")
    channels = 1 if spec.color_mode == "grayscale" else 3
    shape = [*spec.image_size, channels]
    prep = {
        "kind": "image_folder",
        "input_shape": shape,
        "sample_shape": shape,
        "reshape": None,
        "scale": spec.scale,
        "standardize": False,
        "mean": None,
        "std": None,
        "color_mode": spec.color_mode,
        "class_names": classes,
        "labels": cfg.labels,
        "num_classes": len(classes),
    }
    probe_x = np.zeros((1, *shape), dtype=np.float32)  # for the pre-flight shape checks
    probe_y = preprocess_labels(np.asarray([len(classes) - 1]), prep)
    info = {
        "source": f"{folder} ({total} images, {len(classes)} classes, streamed)",
        "classes": {name: len(paths) for name, paths in images.items()},
        "train_samples": total - val_count,
        "validation_samples": val_count,
        "test_samples": 0,
        "validation": "split" if val_count else "none",
        "notes": ["no test split: the final evaluation is on the validation images"],
    }

    def stream(batch_size: int) -> tuple[Any, Any]:
        return _streams(folder, classes, spec, cfg.labels, batch_size, val_fraction, seed)

    return Dataset(
        probe_x, probe_y, None, None, None, None, num_classes=len(classes),
        preprocessing=prep, files={str(folder.resolve()): folder_digest(images)},
        info=info, stream=stream,
    )  # fmt: skip


def scan_folder(folder: Path) -> dict[str, list[Path]]:
    """Class name -> its image files (sorted); every image's header is checked."""
    from PIL import Image

    if not folder.is_dir():
        raise DataError(f"{str(folder)!r} is not a folder (data.path of an image_folder)")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DataError(
            f"{str(folder)!r}: an image folder needs one subfolder per class (at least two, "
            f"e.g. cats/ and dogs/), found {len(classes)}"
        )
    images: dict[str, list[Path]] = {}
    for class_dir in classes:
        paths = sorted(p for p in class_dir.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise DataError(
                f"{str(class_dir)!r}: class {class_dir.name!r} holds no PNG/JPEG images"
            )
        for path in paths:
            try:
                with Image.open(path) as img:
                    img.verify()  # reads the file through; decodes nothing into memory
            except (OSError, SyntaxError, ValueError) as exc:
                raise DataError(f"{str(path)!r}: not a readable image ({exc})") from None
        images[class_dir.name] = paths
    return images


def folder_digest(images: dict[str, list[Path]]) -> str:
    """One sha256 for the whole folder: of each image's relative path and sha256."""
    from dlcli.data.formats import sha256

    digest = hashlib.sha256()
    for name, paths in images.items():
        for path in paths:
            digest.update(f"{name}/{path.name}\0{sha256(path)}\n".encode())
    return digest.hexdigest()


def _streams(folder, classes, spec: ImageFolderData, labels: str, batch_size: int,
             val_fraction: float, seed: int) -> tuple[Any, Any]:  # fmt: skip
    import keras
    import tensorflow as tf

    options = dict(
        labels="inferred",
        label_mode="categorical" if labels == "onehot" else "int",
        class_names=classes,
        color_mode=spec.color_mode,
        image_size=tuple(spec.image_size),
        batch_size=batch_size,
        shuffle=True,
        seed=seed,
        verbose=False,
    )
    if val_fraction:
        train, val = keras.utils.image_dataset_from_directory(
            str(folder), validation_split=val_fraction, subset="both", **options
        )
    else:
        train, val = keras.utils.image_dataset_from_directory(str(folder), **options), None
    scale = np.float32(spec.scale)

    def scaled(dataset):
        if dataset is None:
            return None
        return dataset.map(lambda x, y: (x / scale, y)).prefetch(tf.data.AUTOTUNE)

    return scaled(train), scaled(val)
