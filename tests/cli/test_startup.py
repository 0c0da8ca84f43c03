"""Start-up: `--help`, `validate` and importing dlcli (the CLI, the config, the Python API)
never import TensorFlow, Keras or JAX, so they stay instant."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.files import REPO


def heavy_modules_after(code: str) -> list[str]:
    """Run `code` in a fresh interpreter; which of tensorflow/keras/jax did it import?"""
    report = "print(json.dumps([m for m in ('tensorflow', 'keras', 'jax') if m in sys.modules]))"
    probe = f"{code}\nimport sys, json\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [["--help"], ["train", "--help"], ["validate", "configs/mnist_mlp.yaml"]],
    ids=["help", "train-help", "validate"],
)
def test_commands_that_train_nothing_never_import_tensorflow(args: list[str]) -> None:
    code = (
        "from typer.testing import CliRunner\n"
        "from dlcli.cli.app import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
    )
    assert heavy_modules_after(code) == []


def test_importing_the_cli_the_config_and_the_python_api_imports_no_tensorflow() -> None:
    code = (
        "import dlcli, dlcli.cli.app, dlcli.config.loader, dlcli.config.schema, "
        "dlcli.runs.rundir, dlcli.runtime.speed\n"
        "from dlcli import compare, evaluate, load_config, predict, train"
    )
    assert heavy_modules_after(code) == []
