"""No write, read or delete outside the run directory: links are refused, never followed."""

from __future__ import annotations

import pytest

from dlcli.errors import RunDirError
from dlcli.runs import rundir
from dlcli.runs.plots import plot_history
from dlcli.runs.rundir import RunDir


@pytest.fixture
def run_and_elsewhere(tmp_path):
    run = RunDir.create(tmp_path / "runs", "confined")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "epoch-0001.weights.h5").write_bytes(b"someone else's checkpoint")
    return run, elsewhere


@pytest.mark.parametrize("folder", [rundir.CHECKPOINT_DIR, rundir.PLOTS_DIR])
def test_a_symlinked_subfolder_is_refused_for_writes_and_deletes(run_and_elsewhere, folder):
    run, elsewhere = run_and_elsewhere
    (run.path / folder).symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in elsewhere.iterdir())
    with pytest.raises(RunDirError, match="is a symbolic link"):
        run.write_json(f"{folder}/state.json", {"epoch": 1})
    with pytest.raises(RunDirError, match="is a symbolic link"):
        run.delete(f"{folder}/epoch-0001.weights.h5")
    with pytest.raises(RunDirError, match="is a symbolic link"):
        run.save_with(f"{folder}/x.weights.h5", lambda path: open(path, "wb").close())
    with pytest.raises(RunDirError, match="is a symbolic link"):
        plot_history({"loss": [1.0, 0.5]}, run.file(folder))
    assert sorted(p.name for p in elsewhere.iterdir()) == before
    assert (elsewhere / "epoch-0001.weights.h5").read_bytes() == b"someone else's checkpoint"


@pytest.mark.parametrize("name", ["../escape.json", "/etc/passwd", "checkpoint/../../x"])
def test_names_leaving_the_run_directory_are_refused(run_and_elsewhere, name):
    run, _ = run_and_elsewhere
    with pytest.raises(RunDirError, match="not a path inside the run directory"):
        run.file(name)


def test_a_symlinked_file_is_not_read_through(run_and_elsewhere):
    run, elsewhere = run_and_elsewhere
    (elsewhere / "status.json").write_text('{"state": "completed"}')
    (run.path / rundir.STATUS_FILE).symlink_to(elsewhere / "status.json")
    with pytest.raises(RunDirError, match="is a symbolic link"):
        run.read_json(rundir.STATUS_FILE)


def test_ordinary_subfolders_work(run_and_elsewhere):
    run, _ = run_and_elsewhere
    run.write_json(f"{rundir.CHECKPOINT_DIR}/state.json", {"epoch": 1})
    assert run.read_json(f"{rundir.CHECKPOINT_DIR}/state.json") == {"epoch": 1}
    run.delete(f"{rundir.CHECKPOINT_DIR}/state.json")
    assert not run.file(f"{rundir.CHECKPOINT_DIR}/state.json").exists()
