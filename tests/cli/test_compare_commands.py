"""dlcli.cli.compare_commands: compare / compare-optimizers mistakes, each one message and an
exit code, all reported before anything trains (no comparison directory is created)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from tests.helpers.configs import three_class_config


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "{config}", "--runs-dir", "{runs}"], "at least one --vary"),
        (["compare", "{config}", "--vary", "model.activation=sigmoidd", "--runs-dir", "{runs}"],
         "did you mean 'sigmoid'"),
        (["compare", "{config}", "--vary", "model.nothing=1,2", "--runs-dir", "{runs}"],
         "unknown key 'nothing'"),
        (["compare", "{config}", "--vary", "model.layers.1.Dense.units=3,2",
          "--runs-dir", "{runs}"],
         "the output layer has 2 units but the data has 3 classes"),
        (["compare", "--runs-dir", "{runs}"], "give a CONFIG file, or --resume"),
        (["compare", "{config}", "--resume", "{runs}", "--vary", "seed=1"], "give no CONFIG"),
        (["compare-optimizers", "--resume", "{runs}"], "not a comparison directory"),
        (["compare-optimizers", "{config}", "--optimizers", "sgd,rmsprob", "--runs-dir", "{runs}"],
         "did you mean 'rmsprop'"),
    ],
)  # fmt: skip
def test_mistakes_give_one_message_and_train_nothing(tmp_path, args, message):
    config, runs = three_class_config(tmp_path), tmp_path / "runs"
    runs.mkdir()
    result = CliRunner().invoke(app, [a.format(config=config, runs=runs) for a in args])
    assert result.exit_code in (1, 2), result.output
    assert message in result.output and "Traceback" not in result.output
    assert list(runs.iterdir()) == []  # no comparison directory was created


