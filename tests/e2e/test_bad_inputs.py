"""The bad-input corpus (tests/bad_inputs/cases.yaml): every mistake gets one clear
message, a non-zero exit, no traceback, and no run directory that looks complete."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.runs import rundir
from tests.helpers.data import png_header

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small completed run (valid.yaml), copied by the cases that need one."""
    runs = tmp_path_factory.mktemp("trained")
    result = CliRunner().invoke(
        app, ["train", str(CORPUS / "valid.yaml"), "--runs-dir", str(runs), "-q"]
    )
    assert result.exit_code == 0, result.output
    [run] = list(runs.iterdir())
    return run


# Setups that need a run of a course data source: the corpus config each trains once.
SOURCE_RUNS = {"image_folder_run": "eval_image_folder.yaml", "text_run": "eval_text.yaml",
               "timeseries_run": "eval_timeseries.yaml"}  # fmt: skip


@pytest.fixture(scope="module")
def source_runs(tmp_path_factory: pytest.TempPathFactory):
    """Trains a corpus config on first use and keeps its run for the cases after."""
    done: dict[str, Path] = {}

    def run_of(config: str) -> Path:
        if config not in done:
            runs = tmp_path_factory.mktemp("source_runs")
            result = CliRunner().invoke(
                app, ["train", str(CORPUS / config), "--runs-dir", str(runs), "-q"]
            )
            assert result.exit_code == 0, result.output
            [done[config]] = list(runs.iterdir())
        return done[config]

    return run_of


def _copy_run(trained: Path, scene: dict[str, Path]) -> Path:
    run = scene["tmp"] / "the_run"
    shutil.copytree(trained, run)
    return run


def _model_deleted(scene, trained, monkeypatch) -> None:
    (_copy_run(trained, scene) / rundir.MODEL_FILE).unlink()


def _model_truncated(scene, trained, monkeypatch) -> None:
    model = _copy_run(trained, scene) / rundir.MODEL_FILE
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])


def _trained(scene, trained, monkeypatch) -> None:
    _copy_run(trained, scene)


def _runs_dir_is_a_file(scene, trained, monkeypatch) -> None:
    scene["runs"].write_text("a file where the runs directory should be\n")


def _runs_dir_read_only(scene, trained, monkeypatch) -> None:
    # Tests may run as root, which ignores permissions, so chmod proves nothing:
    # mkdir fails as it would in a read-only directory.
    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)


def _disk_full_mid_run(scene, trained, monkeypatch) -> None:
    """The disk fills up once training starts: the small files written before it
    (and status.json, a few hundred bytes) fit; the first checkpoint does not."""
    real_replace = os.replace
    fits = {rundir.STATUS_FILE, rundir.CONFIG_FILE, rundir.SUMMARY_FILE}
    fits |= {rundir.PREPROCESSING_FILE, rundir.DATA_FILE, rundir.ENV_FILE}

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name not in fits:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def _disk_full_saving_the_model(scene, trained, monkeypatch) -> None:
    """Training and its checkpoints fit; the final model.keras does not."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == rundir.MODEL_FILE:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def _config_too_large(scene, trained, monkeypatch) -> None:
    """Over 1 MiB: made here, since the repository keeps no file that large."""
    text = (scene["dir"] / "valid.yaml").read_text() + "description: |\n"
    (scene["dir"] / "too_large.yaml").write_text(text + "  lorem ipsum dolor sit\n" * 50_000)


def _interrupted_copy(scene, trained) -> Path:
    """A copy of the trained run that reads as interrupted, so --resume would continue."""
    run = _copy_run(trained, scene)
    status = json.loads((run / rundir.STATUS_FILE).read_text())
    (run / rundir.STATUS_FILE).write_text(json.dumps({**status, "state": "interrupted"}))
    return run


def _run_locked(scene, trained, monkeypatch) -> None:
    from filelock import FileLock

    run = _interrupted_copy(scene, trained)
    scene["lock"] = FileLock(str(run / rundir.LOCK_FILE))  # held as another process would
    scene["lock"].acquire()


def _symlinked(folder: str):
    def setup(scene, trained, monkeypatch) -> None:
        run = _interrupted_copy(scene, trained)
        elsewhere = scene["tmp"] / f"elsewhere_{folder}"
        if (run / folder).exists():
            shutil.move(run / folder, elsewhere)
        else:
            elsewhere.mkdir()
        (run / folder).symlink_to(elsewhere, target_is_directory=True)

    return setup


def _tampered_checkpoint(change):
    def setup(scene, trained, monkeypatch) -> None:
        run = _interrupted_copy(scene, trained)
        path = run / rundir.CHECKPOINT_DIR / rundir.CHECKPOINT_STATE_FILE
        path.write_text(json.dumps(change(json.loads(path.read_text()))))

    return setup


def _run_config_alias_bomb(scene, trained, monkeypatch) -> None:
    """The run's saved config.yaml replaced by an alias bomb, as `dlcli diff` reads it."""
    shutil.copy(scene["dir"] / "alias_bomb.yaml", _copy_run(trained, scene) / rundir.CONFIG_FILE)


def _memory_limited(limit: str, make):
    """A real DLCLI_MEMORY_LIMIT, and the file it is too small for (made here: small on
    disk, it declares more than the limit once read)."""

    def setup(scene, trained, monkeypatch) -> None:
        monkeypatch.setenv("DLCLI_MEMORY_LIMIT", limit)
        if trained is not None:
            _copy_run(trained, scene)
        make(scene["dir"])

    return setup


def _large_csv(folder: Path) -> None:  # 20,000 rows x 3 columns: 469 KiB as float64
    (folder / "large.csv").write_text("a,b,y\n" + "0.5,0.25,1\n" * 20_000)


def _inflating_npz(folder: Path) -> None:  # a few KB that inflate to 2.3 MiB
    import numpy as np

    np.savez_compressed(folder / "inflating.npz", x_train=np.zeros((100_000, 2)),
                        y_train=np.zeros(100_000, dtype=np.int64))  # fmt: skip


def _large_image_header(folder: Path) -> None:  # 9000x9000 declared, no pixels
    (folder / "large_header.png").write_bytes(png_header(9_000, 9_000))


SETUPS = {
    "run_config_alias_bomb": _run_config_alias_bomb,
    "csv_over_memory_limit": _memory_limited("256K", _large_csv),
    "npz_over_memory_limit": _memory_limited("1M", _inflating_npz),
    "image_over_memory_limit": _memory_limited("64M", _large_image_header),
    "config_too_large": _config_too_large,
    "run_locked": _run_locked,
    "checkpoint_symlinked": _symlinked(rundir.CHECKPOINT_DIR),
    "plots_symlinked": _symlinked(rundir.PLOTS_DIR),
    "checkpoint_epoch_negative": _tampered_checkpoint(lambda s: {**s, "epoch": -5}),
    "checkpoint_weights_escape": _tampered_checkpoint(
        lambda s: {**s, "weights": "../../../../etc/passwd"}
    ),
    "checkpoint_history_too_long": _tampered_checkpoint(
        lambda s: {**s, "history": {k: v * 8 for k, v in s["history"].items()}}
    ),
    "trained_run": _trained,
    "model_deleted": _model_deleted,
    "model_truncated": _model_truncated,
    "runs_dir_is_a_file": _runs_dir_is_a_file,
    "runs_dir_read_only": _runs_dir_read_only,
    "disk_full_mid_run": _disk_full_mid_run,
    "disk_full_saving_the_model": _disk_full_saving_the_model,
}
NEEDS_RUN = {"trained_run", "model_deleted", "model_truncated", "run_locked",
             "checkpoint_symlinked", "plots_symlinked", "checkpoint_epoch_negative",
             "checkpoint_weights_escape", "checkpoint_history_too_long",
             "run_config_alias_bomb", "image_over_memory_limit"}  # fmt: skip


def _command(case: dict, scene: dict[str, Path]) -> list[str]:
    if "validate" in case:
        args = ["validate", "{dir}/" + case["validate"]]
    elif "train" in case:
        args = ["train", "{dir}/" + case["train"], "--runs-dir", "{runs}", "-q"]
    else:
        args = list(case["args"])
    for override in case.get("set", []):
        args += ["--set", override]
    places = {"{dir}": scene["dir"], "{runs}": scene["runs"], "{run}": scene["tmp"] / "the_run"}
    for key, value in places.items():
        args = [arg.replace(key, str(value)) for arg in args]
    return args


def test_the_corpus_has_at_least_40_distinct_cases() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    assert all(case["exit"] != 0 and case["message"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request) -> None:
    scene = {"tmp": tmp_path, "dir": tmp_path / "corpus", "runs": tmp_path / "runs"}
    shutil.copytree(CORPUS, scene["dir"])  # relative paths resolve beside the configs
    setup = case.get("setup")
    if setup in SOURCE_RUNS:
        _copy_run(request.getfixturevalue("source_runs")(SOURCE_RUNS[setup]), scene)
    elif setup:
        trained = request.getfixturevalue("trained_run") if setup in NEEDS_RUN else None
        SETUPS[setup](scene, trained, monkeypatch)
    result = CliRunner().invoke(app, _command(case, scene))
    monkeypatch.undo()  # before looking at the files: os.replace/mkdir work again

    output = result.output
    assert isinstance(result.exception, SystemExit), f"unhandled: {result.exception!r}"
    assert "Traceback" not in output
    assert result.exit_code == case["exit"], output
    for fragment in case["message"]:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    assert output.count("error:") == 1, output  # one message, not a cascade
    _check_runs_left(scene["runs"], case.get("leaves", "none"))


def _check_runs_left(runs: Path, leaves: str) -> None:
    """Nothing that looks like a finished run: no run at all, or one marked failed."""
    if not runs.is_dir():
        return
    left = list(runs.iterdir())
    if leaves == "none":
        assert left == [], f"left behind: {left}"
        return
    assert left, "expected a failed run directory"
    for run in left:
        status = json.loads((run / rundir.STATUS_FILE).read_text())
        assert status["state"] == "failed", status
        assert not (run / rundir.MODEL_FILE).exists()
