"""Keras's built-in datasets, read from a copy on disk whenever there is one.

Lookup order: `$DLCLI_DATA_DIR`, then Keras's cache (`$KERAS_HOME/datasets`, default
`~/.keras/datasets`). Files are read with numpy, never `keras.utils.get_file`: a copy
made elsewhere has different zip bytes and fails Keras's hash check although its
arrays are identical. Only when no copy exists is Keras asked to download
(`download`, imported lazily so that reading data never imports TensorFlow).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from dlcli.config.schema import DataConfig
from dlcli.data.formats import find_idx_files, load_idx_folder, load_npz, record
from dlcli.data.preprocess import INDEX_FROM, START_CHAR, encode_sequences, sequence_encoding
from dlcli.errors import DataError

KERAS_SEED = 113  # the seed Keras's loaders shuffle and split with: same data as Keras

# Where a copy may be, per dataset, relative to each data folder, in order:
# ("npz", file), ("idx", folder with the four MNIST files), ("cifar10"/"cifar100", folder).
_CANDIDATES: dict[str, list[tuple[str, str]]] = {
    "mnist": [("npz", "mnist.npz"), ("idx", "mnist"), ("idx", ".")],
    "fashion_mnist": [
        ("npz", "fashion_mnist.npz"),
        ("idx", "fashion-mnist"),  # where Keras itself caches it
        ("idx", "fashion_mnist"),
        ("idx", "."),
    ],
    "cifar10": [
        ("cifar10", "cifar-10-batches-py"),
        ("cifar10", "cifar-10-batches-py-target/cifar-10-batches-py"),  # Keras 3's cache
        ("npz", "cifar10.npz"),
    ],
    "cifar100": [
        ("cifar100", "cifar-100-python"),
        ("cifar100", "cifar-100-python-target/cifar-100-python"),
        ("npz", "cifar100.npz"),
    ],
    "imdb": [("npz", "imdb.npz")],
    "reuters": [("npz", "reuters.npz")],
    "boston_housing": [("npz", "boston_housing.npz")],
    "california_housing": [("npz", "california_housing.npz")],
}

# What to put where, for the "not on this machine" message.
_WHAT_TO_PUT = {
    "mnist": "mnist.npz (or the four MNIST IDX .gz files)",
    "fashion_mnist": "fashion_mnist.npz (or the four IDX .gz files in a fashion-mnist/ folder)",
    "cifar10": "the extracted cifar-10-batches-py/ folder (from cifar-10-python.tar.gz)",
    "cifar100": "the extracted cifar-100-python/ folder (from cifar-100-python.tar.gz)",
}

# Sample shape of x per dataset (None: ragged word-index sequences).
_SAMPLE_SHAPES: dict[str, tuple[int, ...] | None] = {
    "mnist": (28, 28),
    "fashion_mnist": (28, 28),
    "cifar10": (32, 32, 3),
    "cifar100": (32, 32, 3),
    "imdb": None,
    "reuters": None,
    "boston_housing": (13,),
    "california_housing": (8,),
}

Arrays = dict[str, np.ndarray]


def data_dirs() -> list[Path]:
    """The folders searched for local copies, in order."""
    dirs = []
    if os.environ.get("DLCLI_DATA_DIR"):
        dirs.append(Path(os.environ["DLCLI_DATA_DIR"]).expanduser())
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    dirs.append(Path(keras_home).expanduser() / "datasets")
    return dirs


def find_local(name: str) -> tuple[str, Path] | None:
    """(kind, path) of the first local copy of dataset `name`, or None."""
    for folder in data_dirs():
        for kind, relative in _CANDIDATES[name]:
            path = folder / relative
            if kind == "npz" and path.is_file():
                return kind, path
            if kind == "idx" and path.is_dir() and find_idx_files(path) is not None:
                return kind, path
            if kind.startswith("cifar") and path.is_dir():
                return kind, path
    return None


def download(name: str, **kwargs: Any) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Keras's own loader (downloads into its cache). Tests monkeypatch this."""
    from dlcli.runtime.bootstrap import import_keras

    keras = import_keras()  # on the chosen backend, its start-up noise hidden

    return getattr(keras.datasets, name).load_data(**kwargs)


def load_builtin(name: str, cfg: DataConfig, files: dict[str, str]) -> tuple[Arrays, str]:
    """x_train, y_train, x_test, y_test of a Keras dataset, and where they came from."""
    local = find_local(name)
    if local is not None:
        kind, path = local
        arrays = _load_local(name, kind, path, cfg, files)
        source = f"{name} from {path}"
    else:
        arrays = _download_arrays(name, cfg)
        source = f"{name} downloaded by Keras"
        again = find_local(name)  # the copy Keras just cached: hash it for the record
        if again is not None and again[1].is_file():
            record(files, again[1])
            source += f" to {again[1]}"
    encoding = sequence_encoding(cfg)
    if encoding is not None:
        for split in ("train", "test"):
            arrays[f"x_{split}"] = encode_sequences(arrays[f"x_{split}"], **encoding)
    return arrays, source


def _download_arrays(name: str, cfg: DataConfig) -> Arrays:
    kwargs: dict[str, Any] = {}
    if name in ("boston_housing", "california_housing", "reuters"):
        kwargs["test_split"] = cfg.test_split  # the same split as a local copy gets
    try:
        (x_train, y_train), (x_test, y_test) = download(name, **kwargs)
    except Exception as exc:  # offline, proxy, disk full: all end in the same advice
        what = _WHAT_TO_PUT.get(name, f"{name}.npz")
        raise DataError(
            f"{name} is not on this machine and could not be downloaded ({exc}). "
            f"Put {what} in $DLCLI_DATA_DIR or {data_dirs()[-1]}/ "
            f"(searched: {', '.join(str(d) for d in data_dirs())})"
        ) from exc
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _load_local(name: str, kind: str, path: Path, cfg: DataConfig, files: dict[str, str]) -> Arrays:
    if kind == "idx":
        arrays = load_idx_folder(path, files)
    elif kind.startswith("cifar"):
        arrays = _load_cifar_folder(kind, path, files)
    else:
        arrays = _load_builtin_npz(name, path, cfg)
        record(files, path)
    _check_shapes(name, path, arrays)
    return arrays


def _load_builtin_npz(name: str, path: Path, cfg: DataConfig) -> Arrays:
    # Word-index sequences are ragged object arrays, stored pickled: only these two.
    arrays = load_npz(path, allow_pickle=name in ("imdb", "reuters"))
    if name == "imdb" and {"x_train", "x_test"} <= arrays.keys():
        return _keras_imdb(arrays)
    unsplit = name in ("boston_housing", "california_housing", "reuters")
    if unsplit and {"x", "y"} <= arrays.keys() and "x_train" not in arrays:
        # boston/california/reuters ship unsplit: hold out test_split as Keras does.
        x, y = arrays["x"], arrays["y"]
        if name == "reuters":
            x = _keras_words(x)
        return keras_split(x, y, cfg.test_split)
    missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in arrays]
    if missing:
        raise DataError(
            f"{str(path)!r} does not look like Keras's {name} file: it has arrays "
            f"{sorted(arrays)}, expected x_train, y_train, x_test, y_test"
            + (" (or x, y)" if unsplit else "")
        )
    if name == "reuters":
        arrays["x_train"] = _keras_words(arrays["x_train"])
        arrays["x_test"] = _keras_words(arrays["x_test"])
    return arrays


def keras_split(x: Any, y: np.ndarray, test_split: float) -> Arrays:
    """Shuffle with Keras's seed and hold out the last `test_split`, as Keras's loaders do."""
    indices = np.arange(len(x))
    np.random.RandomState(KERAS_SEED).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return {"x_train": x[:cut], "y_train": y[:cut], "x_test": x[cut:], "y_test": y[cut:]}


def _keras_imdb(arrays: Arrays) -> Arrays:
    """What keras.datasets.imdb.load_data() returns: both splits shuffled, words shifted."""
    rng = np.random.RandomState(KERAS_SEED)
    out = {}
    for split in ("train", "test"):
        indices = np.arange(len(arrays[f"x_{split}"]))
        rng.shuffle(indices)
        out[f"x_{split}"] = _keras_words(arrays[f"x_{split}"][indices])
        out[f"y_{split}"] = arrays[f"y_{split}"][indices]
    return out


def _keras_words(sequences: Any) -> np.ndarray:
    """Mark each sequence's start and shift word ids past the reserved ones, like Keras."""
    shifted = [[START_CHAR] + [int(w) + INDEX_FROM for w in seq] for seq in sequences]
    out = np.empty(len(shifted), dtype=object)
    out[:] = shifted
    return out


def _load_cifar_folder(kind: str, folder: Path, files: dict[str, str]) -> Arrays:
    if kind == "cifar10":
        train = [folder / f"data_batch_{i}" for i in range(1, 6)]
        test, label_key = [folder / "test_batch"], b"labels"
    else:
        train, test, label_key = [folder / "train"], [folder / "test"], b"fine_labels"
    arrays = {}
    for split, paths in (("train", train), ("test", test)):
        xs, ys = zip(*(_cifar_batch(p, label_key, files) for p in paths), strict=True)
        arrays[f"x_{split}"] = np.concatenate(xs)
        arrays[f"y_{split}"] = np.concatenate(ys).reshape(-1, 1)  # (N, 1), as Keras
    return arrays


def _cifar_batch(path: Path, label_key: bytes, files: dict[str, str]) -> tuple[Any, Any]:
    if not path.is_file():
        raise DataError(f"CIFAR folder {str(path.parent)!r} lacks {path.name}: extract it again")
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        data, labels = batch[b"data"], batch[label_key]
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError) as exc:
        raise DataError(f"cannot read CIFAR batch {str(path)!r}: {exc}") from exc
    record(files, path)
    images = np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, np.asarray(labels, dtype=np.int64)


def _check_shapes(name: str, path: Path, arrays: Arrays) -> None:
    """A file under the right name with the wrong content fails here, not in training."""
    sample = _SAMPLE_SHAPES[name]
    for split in ("train", "test"):
        x, y = np.asarray(arrays[f"x_{split}"]), np.asarray(arrays[f"y_{split}"])
        x_ok = x.ndim == 1 if sample is None else x.shape[1:] == sample
        y_ok = y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)
        if not (x_ok and y_ok and len(x) == len(y)):
            expected = "(N,) sequences" if sample is None else f"(N, {', '.join(map(str, sample))})"
            raise DataError(
                f"{str(path)!r} does not hold {name}: x_{split} has shape {x.shape} "
                f"(expected {expected}) and y_{split} {y.shape} (expected (N,)). "
                "Replace it with the original file, or remove it so Keras downloads it"
            )
