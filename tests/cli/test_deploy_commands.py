"""`dlcli export`, `dlcli serve` and predict's new options, as a user types them."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from dlcli.cli.app import app
from tests.helpers.deploy import bar_images

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_export_an_unknown_format_exits_2_naming_the_choices(bars_run: Path) -> None:
    result = invoke("export", bars_run, "--format", "pt")
    assert result.exit_code == 2
    assert "unknown export format 'pt'; choose from saved_model, onnx, tflite" in result.output
    assert not (bars_run / "export" / "pt").exists()


def test_export_and_serve_refuse_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    for command in ("export", "serve"):
        result = invoke(command, tmp_path / "nope", "--port", "0") if command == "serve" else (
            invoke(command, tmp_path / "nope"))  # fmt: skip
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert "nope" in result.output


def test_serve_on_a_port_in_use_is_one_message(bars_run: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = invoke("serve", bars_run, "--port", port)
    assert result.exit_code == 2
    assert f"error: port {port} on 127.0.0.1 is already in use" in result.output


def test_predict_shows_class_names_and_inverts_by_the_border(bars_run, tmp_path) -> None:
    x, _ = bar_images(2, seed=7)
    Image.fromarray(x[0]).save(tmp_path / "dark.png")
    Image.fromarray(255 - x[1]).save(tmp_path / "paper.png")
    result = invoke("predict", bars_run, tmp_path / "dark.png", tmp_path / "paper.png", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["predictions"]
    assert [r["class_name"] for r in rows] == ["top", "bottom"]
    assert [r["input"].endswith("(inverted)") for r in rows] == [False, True]
    table = invoke("predict", bars_run, tmp_path / "dark.png")
    assert "0 top" in table.output
    never = invoke("predict", bars_run, tmp_path / "paper.png", "--invert", "never", "--json")
    assert not json.loads(never.stdout)["predictions"][0]["input"].endswith("(inverted)")
    bad = invoke("predict", bars_run, tmp_path / "dark.png", "--invert", "sometimes")
    assert bad.exit_code == 1 and "invert must be one of auto, always, never" in bad.output
    assert np.isfinite(rows[0]["probability"])


def test_serve_limits_out_of_range_are_one_message(bars_run: Path) -> None:
    for option, value in (("--header-timeout", 0), ("--body-timeout", "nan"),
                          ("--max-image-values", 0)):  # fmt: skip
        result = invoke("serve", bars_run, "--port", "0", option, value)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert f"error: {option}" in result.output, result.output
