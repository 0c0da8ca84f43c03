"""dlcli.data.preprocess: reshape, scale, standardise, label and sequence encoding, recorded
so that new inputs (predict) get exactly the training's preprocessing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dlcli.data.pipeline import load_dataset
from dlcli.data.preprocess import preprocess_inputs, preprocess_labels
from dlcli.errors import DataError
from tests.helpers.data import XOR, cfg, tiny_mnist, write_tiny_imdb


def test_imdb_new_inputs_get_the_training_oov_mapping_and_length(dirs):
    write_tiny_imdb(dirs[0])
    c = cfg(dataset="imdb", num_words=20, sequence_length=6, validation="none", shuffle=False)
    d = load_dataset(c, seed=0)
    prep = json.loads(json.dumps(d.preprocessing))  # as predict/evaluate read it back
    assert prep["sequences"] == {"num_words": 20, "length": 6, "oov": 2}
    # New reviews as Keras gives them (1 = start, ids shifted by 3): rare -> 2, front-padded.
    ragged = [[1, 8, 53, 10], list(range(1, 30))]
    x = preprocess_inputs(ragged, prep)
    assert x.dtype == np.float32 and x.shape == (2, 6)
    assert x.astype(int).tolist() == [[0, 0, 1, 8, 2, 10], [2, 2, 2, 2, 2, 2]]
    # One review alone, and a rectangular batch longer than sequence_length.
    assert preprocess_inputs(np.array([1, 8, 53, 10]), prep).astype(int).tolist() == [
        [0, 0, 1, 8, 2, 10]
    ]
    wide = np.array([[3, 4, 5, 6, 7, 8, 99, 9]])
    assert preprocess_inputs(wide, prep).astype(int).tolist() == [[5, 6, 7, 8, 2, 9]]
    # The test split, preprocessed again, is unchanged.
    np.testing.assert_array_equal(preprocess_inputs(d.x_test, prep), d.x_test)


@pytest.mark.parametrize("bad", [[[1, -4, 5]], [[1, 2.5]], [["a", "b"]], np.zeros((2, 2, 2))])
def test_imdb_inputs_that_are_not_word_ids_are_data_errors(dirs, bad):
    write_tiny_imdb(dirs[0])
    d = load_dataset(cfg(dataset="imdb", num_words=20, sequence_length=6), seed=0)
    with pytest.raises(DataError, match="word-id sequences"):
        preprocess_inputs(bad, d.preprocessing)


def test_other_data_records_no_sequence_encoding():
    assert "sequences" not in load_dataset(cfg(**XOR), seed=0).preprocessing


def test_reshape_scale_and_onehot(dirs):
    np.savez(dirs[0] / "mnist.npz", **tiny_mnist())
    c = cfg(dataset="mnist", reshape=[-1], scale=255, labels="onehot", validation="none")
    d = load_dataset(c, seed=0)
    assert d.x_train.shape == (30, 784) and d.x_train.dtype == np.float32
    assert d.x_train.min() >= 0.0 and d.x_train.max() <= 1.0
    assert d.y_train.shape == (30, 10) and d.num_classes == 10
    np.testing.assert_array_equal(d.y_train.sum(axis=1), 1.0)
    # New raw inputs go through the very same steps.
    raw = tiny_mnist()["x_test"]
    np.testing.assert_array_equal(preprocess_inputs(raw, d.preprocessing), d.x_test)
    assert preprocess_inputs(raw[0], d.preprocessing).shape == (1, 784)


def test_reshape_of_the_wrong_size_says_both_shapes(dirs):
    np.savez(dirs[0] / "mnist.npz", **tiny_mnist())
    with pytest.raises(DataError, match=r"reshape \[100\].*\[28, 28\] \(784 values\)"):
        load_dataset(cfg(dataset="mnist", reshape=[100]), seed=0)


def test_standardize_uses_training_statistics_and_survives_constant_features(tmp_path):
    r = np.random.default_rng(0)
    x = np.column_stack([r.normal(5, 2, 40), np.full(40, 3.0)])
    np.savez(tmp_path / "d.npz", x=x, y=np.zeros(40))
    c = cfg(
        dataset="npz",
        path=str(tmp_path / "d.npz"),
        standardize=True,
        shuffle=False,
        validation="none",
        test_split=0.25,
    )
    d = load_dataset(c, seed=0)
    np.testing.assert_allclose(d.x_train.mean(axis=0), [0, 0], atol=1e-5)
    np.testing.assert_allclose(d.x_train.std(axis=0), [1, 0], atol=1e-5)
    assert np.isfinite(d.x_test).all()
    assert d.preprocessing["std"][1] == 1.0
    # Statistics come from the training rows only (unshuffled: the first 30), and are
    # replayed on new inputs.
    np.testing.assert_allclose(d.preprocessing["mean"], x[:30].mean(axis=0))
    again = preprocess_inputs(x[:3], d.preprocessing)
    mean, std = np.array(d.preprocessing["mean"]), np.array(d.preprocessing["std"])
    np.testing.assert_allclose(again, (x[:3] - mean) / std, rtol=1e-5)


def test_sparse_labels_are_an_int64_vector(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((10, 2)), y=(np.arange(10) % 3).reshape(10, 1))
    d = load_dataset(cfg(dataset="npz", path=str(tmp_path / "d.npz"), labels="sparse"), seed=0)
    assert d.y_train.dtype == np.int64 and d.y_train.ndim == 1 and d.num_classes == 3
    np.testing.assert_array_equal(preprocess_labels(np.array([[2], [0]]), d.preprocessing), [2, 0])


@pytest.mark.parametrize(
    ("y", "extra", "message"),
    [
        (np.linspace(0, 1, 10), {}, "needs integer class labels"),
        (np.zeros((10, 2)), {}, r"shape \[8, 2\].*use labels: raw"),
        (np.arange(10) % 5, {"num_classes": 3}, "labels go up to 4"),
    ],
)
def test_onehot_label_problems_are_data_errors(tmp_path, y, extra, message):
    np.savez(tmp_path / "d.npz", x=np.zeros((10, 2)), y=y)
    c = cfg(dataset="npz", path=str(tmp_path / "d.npz"), labels="onehot", **extra)
    with pytest.raises(DataError, match=message):
        load_dataset(c, seed=0)
