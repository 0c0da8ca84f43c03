"""dlcli.data.keras_datasets: Keras's built-in datasets from local copies ($DLCLI_DATA_DIR,
then Keras's cache) in every layout Keras uses, and a clear message offline."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from dlcli.data import keras_datasets
from dlcli.data.pipeline import load_dataset
from dlcli.errors import DataError
from tests.helpers.data import cfg, tiny_mnist, write_idx_folder


def test_mnist_npz_in_dlcli_data_dir(dirs):
    np.savez(dirs[0] / "mnist.npz", **tiny_mnist())
    d = load_dataset(cfg(dataset="mnist", validation="none"), seed=0)
    assert d.x_train.shape == (30, 28, 28) and d.x_test.shape == (10, 28, 28)
    assert d.info["source"] == f"mnist from {dirs[0] / 'mnist.npz'}"
    assert list(d.files) == [str(dirs[0] / "mnist.npz")]


def test_mnist_in_the_keras_cache_under_keras_home(dirs, monkeypatch):
    monkeypatch.delenv("DLCLI_DATA_DIR")
    np.savez(dirs[1] / "mnist.npz", **tiny_mnist(20, 5))
    d = load_dataset(cfg(dataset="mnist"), seed=0)
    assert str(dirs[1]) in d.info["source"] and len(d.x_test) == 5


def test_dlcli_data_dir_comes_before_the_keras_cache(dirs):
    np.savez(dirs[0] / "mnist.npz", **tiny_mnist(20, 5))
    np.savez(dirs[1] / "mnist.npz", **tiny_mnist(30, 5))
    d = load_dataset(cfg(dataset="mnist", validation="none"), seed=0)
    assert len(d.x_train) == 20


def test_fashion_mnist_idx_files_in_keras_subfolder(dirs):
    write_idx_folder(dirs[1] / "fashion-mnist", tiny_mnist(10, 4), ".gz")
    d = load_dataset(cfg(dataset="fashion_mnist", validation="none"), seed=0)
    assert d.x_train.shape == (10, 28, 28) and len(d.files) == 4


def test_mnist_file_of_the_wrong_shape_names_file_and_shapes(dirs):
    arrays = tiny_mnist()
    arrays["x_train"] = arrays["x_train"].reshape(30, 784)
    np.savez(dirs[0] / "mnist.npz", **arrays)
    with pytest.raises(DataError, match=r"mnist\.npz.*x_train has shape \(30, 784\).*28, 28"):
        load_dataset(cfg(dataset="mnist"), seed=0)


def test_cifar10_python_batches_folder(dirs):
    folder = dirs[1] / "cifar-10-batches-py"
    folder.mkdir()
    r = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        batch = {b"data": r.integers(0, 256, (3, 3072), dtype=np.uint8), b"labels": [1, 2, 3]}
        (folder / name).write_bytes(pickle.dumps(batch))
    d = load_dataset(cfg(dataset="cifar10", validation="none", shuffle=False), seed=0)
    assert d.x_train.shape == (15, 32, 32, 3) and d.x_test.shape == (3, 32, 32, 3)
    assert d.y_train.shape == (15, 1) and len(d.files) == 6
    # Channels last: the first 1024 bytes of a row are the red plane.
    first = pickle.loads((folder / "data_batch_1").read_bytes())[b"data"][0]
    np.testing.assert_array_equal(d.x_train[0, :, :, 0].ravel(), first[:1024])


def test_imdb_maps_rare_words_to_oov_and_pads_at_the_front(dirs):
    seqs = np.empty(2, dtype=object)
    seqs[:] = [[5, 50, 7], list(range(10, 30))]
    np.savez(
        dirs[0] / "imdb.npz",
        x_train=seqs,
        y_train=np.array([0, 1]),
        x_test=seqs,
        y_test=np.array([0, 1]),
    )
    c = cfg(dataset="imdb", num_words=20, sequence_length=6, validation="none", shuffle=False)
    d = load_dataset(c, seed=0)
    rows = {tuple(row) for row in d.x_test.astype(int)}
    # Keras's convention: 1 = start, words shifted by 3, >= num_words -> 2 (OOV), 0 = pad.
    assert (0, 0, 1, 8, 2, 10) in rows
    assert (2, 2, 2, 2, 2, 2) in rows  # long review: its last 6 words kept, all rare


def test_boston_housing_npz_is_split_like_keras(dirs):
    np.savez(dirs[0] / "boston_housing.npz", x=np.random.rand(50, 13), y=np.arange(50.0))
    d = load_dataset(cfg(dataset="boston_housing", test_split=0.2, validation="none"), seed=0)
    assert len(d.x_train) == 40 and len(d.x_test) == 10
    assert sorted(np.concatenate([d.y_train, d.y_test]).tolist()) == list(range(50))


def test_offline_without_local_copy_says_which_file_to_put_where(dirs):
    with pytest.raises(DataError) as err:
        load_dataset(cfg(dataset="mnist"), seed=0)
    message = str(err.value)
    assert "mnist is not on this machine" in message and "network disabled" in message
    assert "mnist.npz" in message and "$DLCLI_DATA_DIR" in message
    assert str(dirs[1]) in message


def test_download_is_used_only_without_a_local_copy(dirs, monkeypatch):
    calls = []

    def fake_download(name, **kwargs):
        calls.append(name)
        a = tiny_mnist(8, 4)
        return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])

    monkeypatch.setattr(keras_datasets, "download", fake_download)
    d = load_dataset(cfg(dataset="mnist", validation="none"), seed=0)
    assert calls == ["mnist"] and len(d.x_train) == 8
    assert d.info["source"] == "mnist downloaded by Keras"
    np.savez(dirs[0] / "mnist.npz", **tiny_mnist(6, 2))
    assert len(load_dataset(cfg(dataset="mnist", validation="none"), seed=0).x_train) == 6
    assert calls == ["mnist"]


def test_real_mnist_if_present():
    data_dir = os.environ.get("DLCLI_DATA_DIR")
    if not data_dir or not (Path(data_dir) / "mnist.npz").is_file():
        pytest.skip(
            "real MNIST not found: set DLCLI_DATA_DIR to a folder with mnist.npz "
            "(e.g. ../shared/data)"
        )
    d = load_dataset(cfg(dataset="mnist", validation="none", shuffle=False), seed=0)
    assert d.x_train.shape == (60000, 28, 28) and d.x_test.shape == (10000, 28, 28)
    assert np.bincount(d.y_train.astype(int))[:3].tolist() == [5923, 6742, 5958]
