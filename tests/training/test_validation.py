"""`dlcli validate --data`: what it reports about the data it checked the model against."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dlcli.cli.app import app

REPO = Path(__file__).resolve().parents[2]


def test_an_image_folder_reports_its_training_images_not_its_probe() -> None:
    """configs/shapes_cnn.yaml: 180 images, a quarter held out for validation. The
    streamed dataset keeps one probe sample in x_train; the count is the stream's."""
    result = CliRunner().invoke(app, ["validate", str(REPO / "configs/shapes_cnn.yaml"), "--data"])
    assert result.exit_code == 0, result.output
    assert "data: 135 training samples of shape [32, 32, 1]; the model fits it" in result.output
