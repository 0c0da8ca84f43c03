"""`dlcli report`: one self-contained report.html, checked as text and in real Chromium."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.errors import RunDirError
from dlcli.runs import rundir as files
from dlcli.runs.html_report import write_report
from tests.helpers.runs import fake_run

PNG_MAGIC = b"\x89PNG"


def test_a_run_report_holds_everything_and_needs_nothing_else(tmp_path: Path) -> None:
    run = fake_run(tmp_path, "mlp", plots=True)
    page = write_report(run).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # The plot is inside the page, as a PNG.
    encoded = page.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(encoded).startswith(PNG_MAGIC)
    for expected in ("test accuracy", "0.9500", "best val_accuracy (epoch 2)", "Total params",
                     "categorical_crossentropy", "tensorflow", "2.21.0", "completed"):
        assert expected in page, expected
    # Offline: no script, no stylesheet or image fetched from anywhere.
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "@media print" in page
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(".")) == []  # no temp file


def test_a_failed_run_says_so_and_escapes_what_it_shows(tmp_path: Path) -> None:
    run = fake_run(tmp_path, "bad", state="failed")
    status = json.loads((run / files.STATUS_FILE).read_text())
    status["reason"] = "the loss became NaN <at epoch 2>"
    (run / files.STATUS_FILE).write_text(json.dumps(status))
    page = write_report(run).read_text(encoding="utf-8")
    assert 'class="status failed"' in page
    assert "the loss became NaN &lt;at epoch 2&gt;" in page


def test_a_comparison_report_ranks_the_settings(tmp_path: Path) -> None:
    compare = tmp_path / "mlp-compare-20260105-100000"
    member = fake_run(compare, "adam-seed1", plots=True)
    manifest = {"members": [{"name": "adam-seed1", "group": "adam", "seed": 1, "epochs": 3,
                             "state": "completed", "run_dir": member.name, "seconds": 12.5}]}
    summary = {"ranked_by": "val_accuracy", "higher_is_better": True, "seeds": [1],
               "ranking": [{"rank": 1, "group": "adam", "mean": 0.95, "std": 0.0}],
               "groups": {"adam": {"final": {"val_accuracy": {"mean": 0.95, "std": 0.01}},
                                   "best": {"val_accuracy": {"mean": 0.96, "std": 0.0}},
                                   "seconds_per_epoch": {"mean": 4.2, "std": 0.1}}}}
    (compare / files.COMPARE_MANIFEST_FILE).write_text(json.dumps(manifest))
    (compare / files.COMPARISON_JSON).write_text(json.dumps(summary))
    (compare / files.CONFIG_FILE).write_text("name: mlp\n")
    shutil.copytree(member / files.PLOTS_DIR, compare / files.PLOTS_DIR)
    page = write_report(compare).read_text(encoding="utf-8")
    assert "Ranking" in page and "0.9500 ± 0.0100" in page and "0.9600 ± 0.0000" in page
    assert "adam-seed1" in page and "data:image/png;base64," in page


def test_the_command_and_its_mistakes(tmp_path: Path) -> None:
    run = fake_run(tmp_path, "mlp")
    runner = CliRunner()
    done = runner.invoke(app, ["report", str(run)])
    assert done.exit_code == 0 and f"wrote {run / files.REPORT_FILE}" in done.output
    for bad in (tmp_path / "nope", tmp_path):
        refused = runner.invoke(app, ["report", str(bad)])
        assert refused.exit_code != 0 and refused.output.startswith("error: ")
    unfinished = tmp_path / "c-compare-20260101-000000"
    unfinished.mkdir()
    (unfinished / files.COMPARE_MANIFEST_FILE).write_text("{}")
    with pytest.raises(RunDirError, match="nothing to report"):
        write_report(unfinished)
    assert not (unfinished / files.REPORT_FILE).exists()


@pytest.mark.slow
def test_chromium_renders_the_report(tmp_path: Path) -> None:
    """Real headless Chromium draws the page: the screenshot is a real, non-blank image.
    (docs/runs-and-reports.md shows one.)"""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    run = fake_run(tmp_path, "mlp", plots=True)
    page = write_report(run)
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,1600", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1200, 1600)
        colours = image.convert("L").getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20  # text, tables and a plot were drawn, not a blank page


@pytest.mark.parametrize("linked", [files.ENV_FILE, f"{files.PLOTS_DIR}/loss.png"])
def test_a_report_does_not_copy_in_a_file_a_link_points_at(tmp_path: Path, linked: str) -> None:
    run = fake_run(tmp_path, "mlp", plots=True)
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "do-not-publish"}')
    target = run / linked
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    with pytest.raises(RunDirError, match="is a symbolic link"):
        write_report(run)
    assert not (run / files.REPORT_FILE).exists()
