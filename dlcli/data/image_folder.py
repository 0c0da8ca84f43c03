"""`dataset: image_folder`: one subfolder per class of PNG/JPEG images, streamed from disk.

The folder is scanned first (no TensorFlow): every class must hold images, every image
must open, and each file is read once for both its check and its sha256. The images
must share one size unless `resize: true` (then each is resized to `image_size`,
bilinear). The validation images are a seeded random share of the files. Training then
reads the folder batch by batch through a tf.data pipeline (`image_stream`), decoding
as Keras's image_dataset_from_directory does, so a folder larger than memory trains with
memory bounded by a few batches; it reshuffles every epoch only when `train.shuffle` is
on. `predict`, the server and `evaluate --data` decode an image with the same function
(`_decode`), so a training image gives the model the same pixels everywhere.
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
from dlcli.data.declared import check_image
from dlcli.data.images import IMAGE_EXTS
from dlcli.data.preprocess import preprocess_labels
from dlcli.data.seeding import rng
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

    train_files, val_files = _split(scan, val_count, seed)

    def stream(batch_size: int, shuffle: bool = True) -> tuple[Any, Any]:
        train = image_stream(train_files, prep, batch_size, seed if shuffle else None)
        return train, image_stream(val_files, prep, batch_size) if val_files else None

    return Dataset(
        probe_x, probe_y, None, None, None, None, num_classes=len(classes),
        preprocessing=prep, files={str(folder.resolve()): scan.digest},
        info=info, stream=stream,
    )  # fmt: skip


def scan_folder(folder: Path, min_classes: int = 2) -> FolderScan:
    """Every class's image files, each opened once (header checked, content hashed).
    Training needs two classes at least; a folder to evaluate on may hold one."""
    if not folder.is_dir():
        raise DataError(f"{str(folder)!r} is not a folder (one subfolder per class of images)")
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < min_classes:
        raise DataError(
            f"{str(folder)!r}: an image folder needs one subfolder per class (at least "
            f"{'two, e.g. cats/ and dogs/' if min_classes == 2 else 'one'}), found {len(classes)}"
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
    check_image(width, height, repr(str(path)))  # each is decoded whole when streamed
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
    resized by the function the training stream uses (`_decode`)."""
    import tensorflow as tf

    _check_declared_size(content, name)
    try:
        img = _decode(tf.constant(content), prep, resize=False)
    except (tf.errors.InvalidArgumentError, ValueError) as error:
        message = getattr(error, "message", str(error)).splitlines()[0]
        raise DataError(f"{name}: cannot read as an image ({message})") from None
    check_trained_size(tuple(img.shape[:2]), name, prep)
    return _resized(img, prep).numpy()


def _check_declared_size(content: bytes, name: str) -> None:
    """The image's size from its header (Pillow decodes nothing), checked against memory
    before TensorFlow decodes it whole; what Pillow cannot open, decoding reports."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as img:
            size = img.size
    except (OSError, SyntaxError, ValueError):
        return
    except Image.DecompressionBombError as exc:
        raise DataError(f"{name}: cannot read as an image ({exc})") from None
    check_image(*size, name)


def check_trained_size(got: Size, name: str, prep: dict[str, Any]) -> None:
    """An image of another size than the run's is refused when the run did not resize."""
    size = tuple(prep["input_shape"][:2])
    if got != size and not prep.get("resize"):
        raise DataError(
            f"{name}: is {_hw(got)} pixels (height x width) but this model was trained on "
            f"{_hw(size)} images, without resizing (data.image_folder.resize: false): "
            "resize it to that size first"
        )


def _decode(content, prep: dict[str, Any], resize: bool = True):
    """Bytes of a PNG/JPEG/BMP/GIF (first frame) -> pixels with the run's channels, as
    Keras's image_dataset_from_directory decodes them; resized to the run's size."""
    import tensorflow as tf

    channels = prep["input_shape"][2]
    img = tf.image.decode_image(content, channels=channels, expand_animations=False)
    return _resized(img, prep) if resize else img


def _resized(img, prep: dict[str, Any]):
    import tensorflow as tf

    height, width, channels = prep["input_shape"]
    img = tf.image.resize(img, (height, width), method="bilinear")  # float32, 0..255
    img.set_shape((height, width, channels))
    return img


def _split(scan: FolderScan, val_count: int, seed: int) -> tuple[list, list]:
    """(path, class id) pairs for training and validation: the last `val_count` of the
    files in a seeded random order, so the split is the same in every run of `seed`."""
    files = [(str(p), k) for k, paths in enumerate(scan.images.values()) for p in paths]
    order = rng(seed, 11).permutation(len(files))
    shuffled = [files[i] for i in order]
    return shuffled[: len(files) - val_count], shuffled[len(files) - val_count :]


def image_stream(files: list[tuple[str, int]], prep: dict[str, Any], batch_size: int,
                 shuffle_seed: int | None = None):  # fmt: skip
    """A tf.data pipeline of (images / scale, labels) batches read from `files` (path,
    class id) pairs, a few batches in memory at a time. With `shuffle_seed` the order is
    reshuffled every epoch (all files, not a window); without, it is `files`' order."""
    import tensorflow as tf

    paths = tf.constant([path for path, _ in files])
    ids = tf.constant([label for _, label in files], dtype=tf.int32)
    stream = tf.data.Dataset.from_tensor_slices((paths, ids))
    if shuffle_seed is not None:
        stream = stream.shuffle(len(files), seed=shuffle_seed, reshuffle_each_iteration=True)
    scale = np.float32(prep["scale"])
    onehot, classes = prep["labels"] == "onehot", int(prep["num_classes"])

    def load(path, label):
        image = _decode(tf.io.read_file(path), prep) / scale
        return image, (tf.one_hot(label, classes) if onehot else label)

    stream = stream.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return stream.batch(batch_size).prefetch(tf.data.AUTOTUNE)
