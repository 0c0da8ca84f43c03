"""dlcli.config.loader: validation with positions, did-you-mean, resolved output (overrides:
tests/config/test_overrides.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dlcli.config.loader import load_config
from tests.helpers.configs import MINIMAL, problems_of
from tests.helpers.files import REPO, write


def test_minimal_config_fills_documented_defaults(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path / "c.yaml", MINIMAL))
    cfg = loaded.config
    assert cfg.train.epochs == 2
    assert cfg.train.batch_size == 32 and cfg.seed == 42 and cfg.train.device == "auto"
    assert cfg.compile.optimizer.keras_config() == {
        "class_name": "adam",
        "config": {"learning_rate": 0.001},
    }


@pytest.mark.parametrize("config", sorted((REPO / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_config_is_valid(config: Path) -> None:
    model = load_config(config).config.model
    assert model.layers or model.nodes or (model.generator and model.discriminator)


def test_misspelled_key_points_at_its_line_and_suggests_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL.replace("  epochs: 2", "  epoch: 2"))
    (problem,) = problems_of(path)
    # The list of valid keys goes on with each feature's train settings.
    assert problem.startswith(
        f"{path}:12:3: train.epoch: unknown key 'epoch'; did you mean 'epochs'? "
        "(valid: epochs, batch_size, shuffle, device, callbacks"
    )


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("units: 8,", "units: -8,")
        .replace("optimizer: adam", "optimizer: adamm")
        .replace("Dense: {units: 3", "Dnse: {units: 3")
    )
    found = problems_of(write(tmp_path / "c.yaml", text))
    assert len(found) == 3
    assert ":5:" in found[0] and "model.layers[0].Dense.units" in found[0]
    assert ":6:" in found[1] and "did you mean 'Dense'?" in found[1]
    assert ":9:" in found[2] and "did you mean 'adam'?" in found[2]


def test_enumeration_errors_list_the_valid_choices(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL + "  device: tpu\n")
    (problem,) = problems_of(path)
    assert "train.device" in problem and "'auto', 'cpu' or 'gpu'" in problem


def test_integer_yaml_values_are_accepted_where_keras_wants_floats(tmp_path: Path) -> None:
    text = MINIMAL.replace("optimizer: adam", "optimizer: {name: sgd, learning_rate: 1}")
    assert (
        load_config(write(tmp_path / "c.yaml", text)).config.compile.optimizer.learning_rate == 1.0
    )


def test_duplicate_keys_are_errors_not_silently_the_last(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path / "c.yaml", MINIMAL + "  epochs: 3\n"))
    assert ":13:3: train.epochs: duplicate key" in problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("model:\n\tinput_shape: [1]\n", ":2:1: invalid YAML"),
        ("model: {input_shape: [1\n", "invalid YAML"),
        ("", "the file is empty"),
        ("- just\n- a list\n", "a config is a mapping"),
        ("!!python/object/apply:os.system ['echo hi']\n", "invalid YAML"),
    ],
)
def test_malformed_files_give_one_located_message(tmp_path: Path, text: str, expected: str) -> None:
    (problem,) = problems_of(write(tmp_path / "c.yaml", text))
    assert expected in problem


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]
    assert "is a directory" in problems_of(tmp_path)[0]


def test_optimizer_arguments_are_checked_per_optimizer(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL)
    (problem,) = problems_of(path, ["compile.optimizer.momentum=0.9"])
    assert "'momentum' is not an argument of optimizer 'adam'" in problem
    cfg = load_config(path, ["compile.optimizer=nesterov"]).config
    assert cfg.compile.optimizer.keras_config()["config"] == {
        "learning_rate": 0.01,
        "momentum": 0.9,
        "nesterov": True,
    }


def test_learning_rate_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL)
    (problem,) = problems_of(path, ["compile.optimizer.learning_rate=-0.1"])
    assert "compile.optimizer.learning_rate: input should be greater than 0" in problem


def test_layer_shorthand_and_unknown_layer_arguments(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    - Dense: {units: 3",
        "    - Flatten\n    - Dropout: {rate: 0.5}\n    - Dense: {units: 3",
    )
    assert [
        type(i).__name__ for i in load_config(write(tmp_path / "a.yaml", text)).config.model.layers
    ] == ["DenseItem", "FlattenItem", "DropoutItem", "DenseItem"]
    bad = MINIMAL.replace("units: 8, activation: relu", "units: 8, activaton: relu")
    (problem,) = problems_of(write(tmp_path / "b.yaml", bad))
    assert "model.layers[0].Dense.activaton" in problem and "did you mean 'activation'?" in problem


def test_lambda_and_python_paths_are_not_layer_types(tmp_path: Path) -> None:
    for layer in ("Lambda: {function: 'lambda x: x'}", "keras.layers.Dense: {units: 3}"):
        text = MINIMAL.replace("Dense: {units: 3, activation: softmax}", layer)
        (problem,) = problems_of(write(tmp_path / "c.yaml", text))
        assert "unknown layer type" in problem


def test_resolved_config_reloads_to_the_same_config(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path / "c.yaml", MINIMAL), ["train.epochs=4"])
    again = load_config(write(tmp_path / "resolved.yaml", loaded.resolved_yaml()))
    assert again.config == loaded.config
    assert yaml.safe_load(loaded.resolved_yaml())["train"]["epochs"] == 4


def test_data_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    text = MINIMAL + "data:\n  dataset: npz\n  path: data/set.npz\n"
    loaded = load_config(write(tmp_path / "sub" / "c.yaml", text))
    assert loaded.config.data.path == str((tmp_path / "sub" / "data" / "set.npz").resolve())


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_seed_outside_what_keras_can_seed_is_a_config_error(tmp_path: Path, seed: str) -> None:
    # keras.utils.set_random_seed needs 0 <= seed < 2**32; outside, training would crash.
    (problem,) = problems_of(write(tmp_path / "c.yaml", MINIMAL), [f"seed={seed}"])
    assert problem.startswith(f"--set seed={seed}: seed: input should be")
    assert load_config(write(tmp_path / "c.yaml", MINIMAL), [f"seed={2**32 - 1}"]).config.seed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "{path: tok.npz, target: y}",
            "`path:` belongs to dataset 'npz', 'csv', 'idx', 'timeseries', 'text' or "
            "'image_folder', but "
            "the dataset is 'mnist', the default",
        ),
        (
            "{dataset: npz, path: d.npz, target: y}",
            "`target:` belongs to dataset 'csv', but the dataset is 'npz'",
        ),
        ("{dataset: linear, x: [[0]], y: [0]}", "`x:` belongs to dataset 'inline'"),
        ("{dataset: mnist, num_words: 100}", "`num_words:` belongs to dataset 'imdb' or 'reuters'"),
        ("{dataset: cifar10, sequence_length: 9}", "`sequence_length:` belongs to dataset 'imdb'"),
        (
            "{dataset: inline, x: [[0]], y: [0], linear: {samples: 9}}",
            "`linear:` belongs to dataset 'linear', but the dataset is 'inline'",
        ),
    ],
)
def test_data_keys_of_another_dataset_are_errors(tmp_path: Path, data: str, message: str) -> None:
    (problem,) = problems_of(write(tmp_path / "c.yaml", MINIMAL + f"data: {data}\n"))
    assert "data: " in problem and message in problem


def test_data_keys_of_the_dataset_in_use_are_accepted(tmp_path: Path) -> None:
    for data in (
        "{dataset: imdb, num_words: 100, sequence_length: 50}",
        "{dataset: csv, path: d.csv, target: y}",
        "{dataset: idx, path: mnist}",
        "{dataset: linear, linear: {samples: 9}}",
        "{dataset: mnist, linear: {}}",  # the defaults, written out: harmless
    ):
        assert load_config(write(tmp_path / "c.yaml", MINIMAL + f"data: {data}\n")).config


def test_resolved_config_shows_the_linear_section_only_for_linear_data(tmp_path: Path) -> None:
    mnist = yaml.safe_load(load_config(write(tmp_path / "a.yaml", MINIMAL)).resolved_yaml())
    assert "linear" not in mnist["data"]
    text = MINIMAL + "data: {dataset: linear, linear: {samples: 9}}\n"
    linear = yaml.safe_load(load_config(write(tmp_path / "b.yaml", text)).resolved_yaml())
    assert linear["data"]["linear"]["samples"] == 9 and linear["data"]["linear"]["noise"] == 0.0
