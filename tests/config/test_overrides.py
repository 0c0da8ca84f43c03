"""dlcli.config.overrides: `--set KEY=VALUE` values are YAML, win over the file, and their
mistakes name the override."""

from __future__ import annotations

from pathlib import Path

from dlcli.config.loader import load_config
from tests.helpers.configs import MINIMAL, problems_of
from tests.helpers.files import write


def test_overrides_are_yaml_typed_and_win_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL)
    cfg = load_config(
        path,
        [
            "train.epochs=7",
            "compile.optimizer.learning_rate=0.01",
            "model.layers[0].Dense.units=16",
            "train.shuffle=false",
        ],
    ).config
    assert cfg.train.epochs == 7 and cfg.train.shuffle is False
    assert cfg.compile.optimizer.name == "adam" and cfg.compile.optimizer.learning_rate == 0.01
    assert cfg.model.layers[0].Dense.units == 16


def test_override_errors_name_the_override(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL)
    assert problems_of(path, ["train.epochs=0"]) == [
        "--set train.epochs=0: train.epochs: input should be greater than 0"
    ]
    (problem,) = problems_of(path, ["train.epoch=3"])
    assert (
        problem.startswith("--set train.epoch=3: train.epoch: unknown key")
        and "'epochs'" in problem
    )
    assert "expected KEY=VALUE" in problems_of(path, ["epochs"])[0]
    (problem,) = problems_of(path, ["compile.optimizer.lr=0.1"])
    assert "did you mean 'learning_rate'?" in problem


def test_an_optimizer_argument_can_be_set_when_the_file_names_no_optimizer(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", MINIMAL.replace("  optimizer: adam\n", ""))
    optimizer = load_config(path, ["compile.optimizer.learning_rate=0.01"]).config.compile.optimizer
    assert optimizer.name == "rmsprop" and optimizer.learning_rate == 0.01
