"""`dataset: image_folder`: one subfolder per class of PNG/JPEG images, streamed from disk.

The folder is scanned first (no TensorFlow): every class must hold images, every image
must open, and each file is read once for both its check and its sha256. The images
must share one size unless `resize: true` (then each is resized to `image_size`,
bilinear). Training then reads the folder batch by batch through Keras's
`image_dataset_from_directory` (a tf.data pipeline), so a folder larger than memory
trains with memory bounded by a few batches. `predict` and the server decode an image
with the same TensorFlow calls that pipeline uses (`decode_like_training`), so a
training image gives the model the same pixels at training and at predict time.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.data_sources_schema import ImageFolderData
from dlcli.config.schema import DataConfig
from dlcli.data.dataset import Dataset
from dlcli.data.images import IMAGE_EXTS
from dlcli.data.preprocess import preprocess_labels
from dlcli.errors import DataError

Size = tuple[int, int]  # (height, width), the order of `image_size`


@dataclass
class FolderScan:
    """What one pass over an image folder found."""

    images: dict[str, list[Path]]  # class name -> its image files, sorted
    sizes: dict[Size, Path]  # each image size seen -> the first image of that size
    digest: str  # sha256 of every image's path (relative to the folder) and content

    @property
    def total(self) -> int:
        return sum(len(paths) for paths in self.images.values())


def load_image_folder(cfg: DataConfig, seed: int) -> Dataset:
    spec = cfg.image_folder or ImageFolderData()
    assert cfg.path is not None  # the schema requires it
    folder = Path(cfg.path)
    scan = scan_folder(folder)
    size = image_size(scan, spec, folder)
    classes, total = list(scan.images), scan.total
    val_fraction = cfg.validation_split if cfg.validation == "split" else 0.0
    val_count = int(total * val_fraction)
    if val_count >= total:
        raise DataError(f"validation_split {cfg.validation_split} leaves no training images")
    prep = _preprocessing(spec, size, classes, cfg.labels)
    probe_x = np.zeros((1, *prep["input_shape"]), dtype=np.float32)  # for the shape checks
    probe_y = preprocess_labels(np.asarray([len(classes) - 1]), prep)
    info = {
        "source": f"{folder} ({total} images, {len(classes)} classes, streamed)",
        "classes": {name: len(paths) for name, paths in scan.images.items()},
        "train_samples": total - val_count,
        "validation_samples": val_count,
        "test_samples": 0,
        "validation": "split" if val_count else "none",
        "notes": ["no test split: the final evaluation is on the validation images"],
    }

    def stream(batch_size: int) -> tuple[Any, Any]:
        return _streams(folder, classes, prep, batch_size, val_fraction, seed)

    return Dataset(
        probe_x, probe_y, None, None, None, None, num_classes=len(classes),
        preprocessing=prep, files={str(folder.resolve()): scan.digest},
        info=info, stream=stream,
    )  # fmt: skip


def scan_folder(folder: Path) -> FolderScan:
    """Every class's image files, each opened once (header checked, content hashed)."""
    if not folder.is_dir():
        raise DataError(f"{str(folder)!r} is not a folder (data.path of an image_folder)")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DataError(
            f"{str(folder)!r}: an image folder needs one subfolder per class (at least two, "
            f"e.g. cats/ and dogs/), found {len(classes)}"
        )
    images: dict[str, list[Path]] = {}
    sizes: dict[Size, Path] = {}
    digest = hashlib.sha256()
    for class_dir in classes:
        paths = sorted(p for p in class_dir.rglob("*") if p.suffix.lower() in IMAGE_EXTS)
        if not paths:
            raise DataError(
                f"{str(class_dir)!r}: class {class_dir.name!r} holds no PNG/JPEG images"
            )
        for path in paths:
            content = path.read_bytes()
            sizes.setdefault(_checked_size(content, path), path)
            relative = path.relative_to(folder).as_posix()
            digest.update(f"{relative}\0{hashlib.sha256(content).hexdigest()}\n".encode())
        images[class_dir.name] = paths
    return FolderScan(images, sizes, digest.hexdigest())


def _checked_size(content: bytes, path: Path) -> Size:
    """An image file's (height, width), after Pillow has read it through."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as img:
            width, height = img.size
            img.verify()  # reads the file through; decodes nothing into memory
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"{str(path)!r}: not a readable image ({exc})") from None
    return height, width


def image_size(scan: FolderScan, spec: ImageFolderData, folder: Path) -> Size:
    """The size the model sees: `image_size` when resizing, else the images' own size,
    which all of them must share (and `image_size`, if set, must state)."""
    if spec.resize:
        assert spec.image_size is not None  # the schema requires it with resize
        return spec.image_size
    if len(scan.sizes) > 1:
        (size_a, path_a), (size_b, path_b) = list(scan.sizes.items())[:2]
        raise DataError(
            f"{str(folder)!r}: its images differ in size: {_name(path_a, folder)} is "
            f"{_hw(size_a)} and {_name(path_b, folder)} is {_hw(size_b)} (height x width; "
            f"{len(scan.sizes)} sizes in all). Make them one size, or set "
            "data.image_folder.resize: true with image_size: [height, width] to resize "
            "each image to it (aspect ratios are not kept)"
        )
    (size, path), *_ = scan.sizes.items()
    if spec.image_size is not None and tuple(spec.image_size) != size:
        raise DataError(
            f"{str(folder)!r}: its images are {_hw(size)} (e.g. {_name(path, folder)}) but "
            f"data.image_folder.image_size is {_hw(spec.image_size)}: set image_size: "
            f"[{size[0]}, {size[1]}], or resize: true to resize them"
        )
    return size


def _hw(size: Size) -> str:
    return f"{size[0]}x{size[1]}"


def _name(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def _preprocessing(spec: ImageFolderData, size: Size, classes: list[str], labels: str):
    shape = [size[0], size[1], 1 if spec.color_mode == "grayscale" else 3]
    return {
        "kind": "image_folder",
        "input_shape": shape,
        "sample_shape": shape,
        "reshape": None,
        "scale": spec.scale,
        "standardize": False,
        "mean": None,
        "std": None,
        "color_mode": spec.color_mode,
        "resize": spec.resize,
        "class_names": classes,
        "labels": labels,
        "num_classes": len(classes),
    }


def decode_like_training(content: bytes, name: str, prep: dict[str, Any]) -> np.ndarray:
    """An image file's (height, width, channels) pixels, 0..255 as float32, decoded and
    resized by the calls Keras's image_dataset_from_directory makes in training."""
    import tensorflow as tf

    height, width, channels = prep["input_shape"]
    try:
        img = tf.image.decode_image(content, channels=channels, expand_animations=False)
    except (tf.errors.InvalidArgumentError, ValueError) as error:
        message = getattr(error, "message", str(error)).splitlines()[0]
        raise DataError(f"{name}: cannot read as an image ({message})") from None
    got = tuple(img.shape[:2])
    if got != (height, width) and not prep.get("resize"):
        raise DataError(
            f"{name}: is {_hw(got)} pixels (height x width) but this model was trained on "
            f"{_hw((height, width))} images, without resizing (data.image_folder.resize: "
            "false): resize it to that size first"
        )
    return tf.image.resize(img, (height, width), method="bilinear").numpy()


def _streams(folder: Path, classes: list[str], prep: dict[str, Any], batch_size: int,
             val_fraction: float, seed: int) -> tuple[Any, Any]:  # fmt: skip
    import keras
    import tensorflow as tf

    options = dict(
        labels="inferred",
        label_mode="categorical" if prep["labels"] == "onehot" else "int",
        class_names=classes,
        color_mode=prep["color_mode"],
        image_size=tuple(prep["input_shape"][:2]),
        interpolation="bilinear",  # decode_like_training resizes the same way
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
    scale = np.float32(prep["scale"])

    def scaled(dataset):
        if dataset is None:
            return None
        return dataset.map(lambda x, y: (x / scale, y)).prefetch(tf.data.AUTOTUNE)

    return scaled(train), scaled(val)
