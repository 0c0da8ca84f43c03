"""dlcli.data.pipeline: every source, preprocessing, validation modes, and the offline path.

All data is made in the test (a few dozen samples); the network is never used: an
autouse fixture makes Keras's download raise, and the local-copy lookup is pointed at
tmp folders.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlcli.data.pipeline import load_dataset
from dlcli.data.sources.arrays import load_arrays_file
from dlcli.errors import DataError
from tests.helpers.data import XOR, cfg, tiny_mnist, write_idx_folder

# --- inline and linear ----------------------------------------------------------------


def test_inline_xor_trains_and_tests_on_its_four_rows():
    d = load_dataset(cfg(**XOR), seed=0)
    assert d.x_train.dtype == np.float32 and d.x_train.shape == (4, 2)
    assert d.x_val is None  # 10% of 4 rows is < 1 sample
    assert any("no validation" in note for note in d.info["notes"])
    assert any("test set is the training rows" in note for note in d.info["notes"])
    # Shuffled or not, the pairs stay together and the test set is the whole table.
    xor = {tuple(x): y[0] for x, y in zip(d.x_train, d.y_train, strict=True)}
    assert xor == {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}
    np.testing.assert_array_equal(d.x_test, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert d.num_classes is None and d.files == {}


def test_inline_ragged_rows_are_a_data_error():
    with pytest.raises(DataError, match="data.x"):
        load_dataset(cfg(dataset="inline", x=[[0, 0], [1]], y=[0, 1]), seed=0)


def test_inline_x_and_y_of_different_lengths_are_a_data_error():
    with pytest.raises(DataError, match="4 samples but y_train has 3"):
        load_dataset(cfg(dataset="inline", x=XOR["x"], y=[0, 1, 1]), seed=0)


def test_linear_with_known_weights_and_no_noise_is_exact():
    lin = {"samples": 50, "features": 2, "outputs": 1, "weights": [[2.0], [-3.0]], "bias": [0.5]}
    d = load_dataset(cfg(dataset="linear", linear=lin, validation="none"), seed=1)
    assert d.info["true_weights"] == [[2.0], [-3.0]] and d.info["true_bias"] == [0.5]
    assert len(d.x_train) == 40 and len(d.x_test) == 10  # test_split 0.2 held out
    expected = d.x_train @ np.array([[2.0], [-3.0]]) + 0.5
    np.testing.assert_allclose(d.y_train, expected, rtol=1e-5, atol=1e-5)
    assert np.all((d.x_train >= -1) & (d.x_train <= 1))


def test_linear_draws_weights_from_the_seed():
    lin = {"features": 3, "outputs": 2}
    a = load_dataset(cfg(dataset="linear", linear=lin), seed=5)
    b = load_dataset(cfg(dataset="linear", linear=lin), seed=5)
    c = load_dataset(cfg(dataset="linear", linear=lin), seed=6)
    assert np.array(a.info["true_weights"]).shape == (3, 2) and len(a.info["true_bias"]) == 2
    assert a.info["true_weights"] == b.info["true_weights"]
    assert a.info["true_weights"] != c.info["true_weights"]
    np.testing.assert_array_equal(a.x_train, b.x_train)


@pytest.mark.parametrize(
    ("lin", "message"),
    [
        ({"features": 2, "weights": [[1.0, 2.0]]}, r"shape \[1, 2\].*\[2, 1\]"),
        ({"outputs": 2, "weights": [[1.0, 2.0]], "bias": [1.0]}, "one per output"),
    ],
)
def test_linear_weights_or_bias_of_the_wrong_shape_are_data_errors(lin, message):
    with pytest.raises(DataError, match=message):
        load_dataset(cfg(dataset="linear", linear=lin), seed=0)


# --- npz, csv, idx files ----------------------------------------------------------------


def test_npz_with_train_and_test_arrays(tmp_path):
    path = tmp_path / "d.npz"
    r = np.random.default_rng(0)
    np.savez(
        path,
        x_train=r.random((20, 3)),
        y_train=np.arange(20) % 2,
        x_test=r.random((5, 3)),
        y_test=np.arange(5) % 2,
    )
    d = load_dataset(cfg(dataset="npz", path=str(path), validation="none"), seed=0)
    assert d.x_train.shape == (20, 3) and d.x_test.shape == (5, 3)
    assert d.files == {str(path): hashlib.sha256(path.read_bytes()).hexdigest()}


def test_npz_with_x_and_y_holds_out_test_split(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.arange(40.0).reshape(20, 2), y=np.arange(20.0))
    d = load_dataset(cfg(dataset="npz", path=str(path), test_split=0.25), seed=0)
    assert len(d.x_test) == 5 and len(d.x_train) + len(d.x_val) == 15
    # Every sample lands in exactly one split, with its own target.
    rows = np.concatenate([d.x_train, d.x_val, d.x_test])
    targets = np.concatenate([d.y_train, d.y_val, d.y_test])
    assert sorted(rows[:, 0].tolist()) == list(np.arange(0.0, 40.0, 2.0))
    np.testing.assert_array_equal(rows[:, 0] / 2, targets)


def test_npz_without_expected_arrays_lists_what_it_has(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, features=np.zeros((3, 2)), labels=np.zeros(3))
    with pytest.raises(DataError, match=r"\['features', 'labels'\].*x_train/y_train"):
        load_dataset(cfg(dataset="npz", path=str(path)), seed=0)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x": np.zeros((10, 2)), "y": np.zeros(9)}, "x has 10 samples but y has 9"),
        (
            {"x_train": np.zeros((10, 2)), "y_train": np.zeros(11)},
            "x_train has 10 samples but y_train has 11",
        ),
        (
            {
                "x_train": np.zeros((4, 2)),
                "y_train": np.zeros(4),
                "x_test": np.zeros((2, 2)),
                "y_test": np.zeros(3),
            },
            "x_test has 2 samples but y_test has 3",
        ),
        ({"x": np.float64(1.0), "y": np.zeros(3)}, "x is a single value"),
    ],
)
def test_npz_x_and_y_of_different_lengths_name_the_arrays(tmp_path, arrays, message):
    # Checked before the test split is held out (which indexed y by x's samples: IndexError).
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=message):
        load_dataset(cfg(dataset="npz", path=str(path)), seed=0)


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_csv_target_column_is_y_and_the_rest_is_x(tmp_path):
    rows = "\n".join(f"{i},{i * 10},{i % 3}" for i in range(20))
    path = write_csv(tmp_path / "d.csv", "a,b,price\n" + rows + "\n")
    d = load_dataset(cfg(dataset="csv", path=str(path), target="b", validation="none"), seed=0)
    assert d.info["columns"] == ["a", "price"]
    assert d.x_train.shape == (16, 2) and d.x_test.shape == (4, 2)
    np.testing.assert_array_equal(d.y_train[:, 0], d.x_train[:, 0] * 10)
    assert str(path) in d.files


def test_csv_missing_target_column_lists_the_columns(tmp_path):
    path = write_csv(tmp_path / "d.csv", "a,b\n1,2\n3,4\n")
    with pytest.raises(DataError, match="no column 'price'.*a, b"):
        load_dataset(cfg(dataset="csv", path=str(path), target="price"), seed=0)


def test_csv_non_numeric_cell_names_line_and_column(tmp_path):
    path = write_csv(tmp_path / "d.csv", "a,b\n1,2\n3,red\n")
    with pytest.raises(DataError, match=r"line 3, column 'b': 'red' is not a number"):
        load_dataset(cfg(dataset="csv", path=str(path), target="a"), seed=0)


@pytest.mark.parametrize("ext", [".gz", ""])
def test_idx_folder_gz_or_raw(tmp_path, ext):
    arrays = tiny_mnist(12, 6)
    write_idx_folder(tmp_path / "idx", arrays, ext)
    d = load_dataset(
        cfg(dataset="idx", path=str(tmp_path / "idx"), shuffle=False, validation="none"), seed=0
    )
    np.testing.assert_array_equal(d.x_train, arrays["x_train"].astype(np.float32))
    np.testing.assert_array_equal(d.y_test, arrays["y_test"])
    assert len(d.files) == 4 and all(p.endswith(ext) for p in d.files)


# --- helpers shared with test_keras_datasets.py and test_preprocess.py ------------------




def test_linear_without_a_linear_section_uses_the_documented_defaults():
    d = load_dataset(cfg(dataset="linear", validation="none"), seed=3)
    assert len(d.x_train) + len(d.x_test) == 200 and d.x_train.shape[1] == 1
    assert np.all(np.abs(d.x_train) <= 1.0)


# --- validation, shuffling, sample limits -----------------------------------------------


@pytest.fixture
def numbered(tmp_path) -> Path:
    """A dataset whose x is its own row number, so splits can be traced."""
    path = tmp_path / "n.npz"
    np.savez(
        path,
        x_train=np.arange(50.0),
        y_train=np.arange(50.0),
        x_test=np.arange(100.0, 110.0),
        y_test=np.arange(100.0, 110.0),
    )
    return path


def test_validation_split_holds_out_a_fraction_of_training(numbered):
    d = load_dataset(cfg(dataset="npz", path=str(numbered), validation_split=0.2), seed=0)
    assert len(d.x_train) == 40 and len(d.x_val) == 10 and len(d.x_test) == 10
    assert not set(d.x_train[:, 0]) & set(d.x_val[:, 0])


def test_validation_test_uses_the_test_arrays(numbered):
    d = load_dataset(cfg(dataset="npz", path=str(numbered), validation="test"), seed=0)
    assert d.x_val is d.x_test and d.y_val is d.y_test and len(d.x_train) == 50


def test_validation_test_without_a_test_split_is_a_data_error():
    c = cfg(dataset="linear", test_split=0, validation="test")
    with pytest.raises(DataError, match="validation: test needs a test split"):
        load_dataset(c, seed=0)


def test_validation_none(numbered):
    d = load_dataset(cfg(dataset="npz", path=str(numbered), validation="none"), seed=0)
    assert d.x_val is None and d.y_val is None and len(d.x_train) == 50


def test_shuffle_is_deterministic_for_a_seed(numbered):
    def train_order(seed: int) -> np.ndarray:
        return load_dataset(cfg(dataset="npz", path=str(numbered)), seed=seed).x_train[:, 0]

    np.testing.assert_array_equal(train_order(1), train_order(1))
    assert not np.array_equal(train_order(1), train_order(2))
    assert not np.array_equal(train_order(1), np.arange(45.0))
    unshuffled = load_dataset(cfg(dataset="npz", path=str(numbered), shuffle=False), seed=1)
    np.testing.assert_array_equal(unshuffled.x_train[:, 0], np.arange(45.0))


def test_train_and_test_samples_keep_the_first_n(numbered):
    c = cfg(dataset="npz", path=str(numbered), train_samples=8, test_samples=3, validation="none")
    d = load_dataset(c, seed=3)
    assert sorted(d.x_train[:, 0].tolist()) == list(range(8))
    np.testing.assert_array_equal(d.x_test[:, 0], [100, 101, 102])


# --- files for evaluate/predict, and import weight ------------------------------------


def test_load_arrays_file_formats(tmp_path):
    np.savez(
        tmp_path / "a.npz", x_train=np.ones((4, 2)), x_test=np.zeros((3, 2)), y_test=np.arange(3)
    )
    x, y = load_arrays_file(str(tmp_path / "a.npz"))
    assert x.shape == (3, 2) and y.tolist() == [0, 1, 2]  # the test arrays win
    np.save(tmp_path / "b.npy", np.ones((5, 2)))
    x, y = load_arrays_file(str(tmp_path / "b.npy"))
    assert x.shape == (5, 2) and y is None
    write_csv(tmp_path / "c.csv", "a,b,t\n1,2,3\n4,5,6\n")
    x, y = load_arrays_file(str(tmp_path / "c.csv"), target="t")
    assert x.tolist() == [[1, 2], [4, 5]] and y.tolist() == [[3], [6]]
    x, y = load_arrays_file(str(tmp_path / "c.csv"))
    assert x.shape == (2, 3) and y is None
    (tmp_path / "d.txt").write_text("1 2")
    with pytest.raises(DataError, match="unsupported file type"):
        load_arrays_file(str(tmp_path / "d.txt"))
    with pytest.raises(DataError, match="does not exist"):
        load_arrays_file(str(tmp_path / "missing.npz"))


def test_reading_data_does_not_import_tensorflow():
    code = "import sys, dlcli.data.pipeline; assert 'tensorflow' not in sys.modules, 'tf imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
