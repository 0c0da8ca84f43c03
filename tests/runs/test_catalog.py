"""`dlcli runs`: every run and comparison, newest first, broken directories shown as such."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.errors import UsageError
from dlcli.runs import rundir as files
from dlcli.runs.catalog import filter_rows, list_runs, sort_rows
from tests.helpers.runs import fake_run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    fake_run(runs, "old", "20260101-100000", val_accuracy=(0.90, 0.97, 0.96), test_accuracy=0.96)
    fake_run(runs, "new", "20260102-100000", val_accuracy=(0.91, 0.92), test_accuracy=0.93)
    fake_run(runs, "stopped", "20260101-110000", state="failed")
    half = runs / "half-20260103-000000"  # killed right after RunDir.create
    half.mkdir()
    garbled = fake_run(runs, "garbled", "20260101-090000")
    (garbled / files.STATUS_FILE).write_text('{"state": "compl')  # half-written
    (runs / "notes").mkdir()  # not a run: not listed
    (runs / "mlflow.db").write_text("")
    return runs


def test_rows_newest_first_with_what_each_run_did(runs_dir: Path) -> None:
    rows = list_runs(runs_dir)
    assert [r["name"] for r in rows] == [
        "half-20260103-000000", "new-20260102-100000", "stopped-20260101-110000",
        "old-20260101-100000", "garbled-20260101-090000"]  # fmt: skip
    old = rows[3]
    assert old["status"] == "completed" and old["dataset"] == "mnist"
    assert (old["params"], old["epochs"], old["backend"]) == (407050, 3, "tensorflow")
    assert old["best"] == {"metric": "val_accuracy", "value": 0.97, "epoch": 2}
    assert old["test"] == {"metric": "test_accuracy", "value": 0.96}
    assert old["duration"] == 42.0 and old["started"].startswith("2026-01-01T10:00")
    assert rows[2]["status"] == "failed"
    assert rows[0]["status"] == "broken" and "no status.json" in rows[0]["note"]
    assert rows[4]["status"] == "broken" and "status.json unreadable" in rows[4]["note"]


def test_a_running_run_whose_process_is_gone_reads_as_interrupted(tmp_path: Path) -> None:
    path = fake_run(tmp_path, "r", state="running")
    status = json.loads((path / files.STATUS_FILE).read_text())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout  # fmt: skip
    (path / files.STATUS_FILE).write_text(json.dumps({**status, "pid": int(dead)}))
    assert list_runs(tmp_path)[0]["status"] == "interrupted"
    (path / files.STATUS_FILE).write_text(json.dumps({**status, "pid": os.getpid()}))
    assert list_runs(tmp_path)[0]["status"] == "running"


def test_sort_and_filter(runs_dir: Path) -> None:
    rows = list_runs(runs_dir)
    by_test = [r["name"].split("-")[0] for r in sort_rows(rows, "test")]
    assert by_test == ["old", "garbled", "new", "half", "stopped"]  # best first; none: last
    assert [r["name"] for r in filter_rows(rows, ["status=completed"])] == [
        "new-20260102-100000", "old-20260101-100000"]  # fmt: skip
    assert filter_rows(rows, ["status=completed", "epochs=2"])[0]["name"].startswith("new")
    with pytest.raises(UsageError, match="--filter 'colour=red'.*one of name, kind, status"):
        filter_rows(rows, ["colour=red"])
    with pytest.raises(UsageError, match="--sort 'speed'"):
        sort_rows(rows, "speed")


def test_a_comparison_is_one_row_and_its_members_on_request(tmp_path: Path) -> None:
    compare = tmp_path / "mlp-compare-20260105-100000"
    member = fake_run(compare, "adam-seed1", "20260105-100001")
    fake_run(compare, "sgd-seed1", "20260105-100101", state="failed")
    manifest = {"members": [
        {"name": "adam-seed1", "group": "adam", "seed": 1, "state": "completed",
         "run_dir": member.name, "seconds": 30.0, "epochs": 3},
        {"name": "sgd-seed1", "group": "sgd", "seed": 1, "state": "failed", "run_dir": None}]}
    (compare / files.COMPARE_MANIFEST_FILE).write_text(json.dumps(manifest))
    (compare / files.COMPARISON_JSON).write_text(json.dumps(
        {"ranked_by": "val_accuracy", "ranking": [{"group": "adam", "mean": 0.95}]}))
    rows = list_runs(tmp_path)
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["status"], row["note"]) == (
        "comparison (2 members)", "failed", "1 completed, 1 failed")
    assert row["best"] == {"metric": "val_accuracy", "value": 0.95, "group": "adam"}
    assert row["dataset"] == "mnist"
    with_members = list_runs(tmp_path, members=True)
    assert [r["name"].split("/")[-1][:4] for r in with_members] == ["mlp-", "sgd-", "adam"]
    assert with_members[1]["name"].startswith("mlp-compare-20260105-100000/")
    import dlcli  # the Python API keeps each comparison's members right after it

    assert [r["name"] for r in dlcli.list_runs(tmp_path, members=True)] == [
        r["name"] for r in with_members
    ]


def test_the_command_table_json_and_mistakes(runs_dir: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["runs", str(runs_dir)])
    assert table.exit_code == 0, table.output
    assert "old-20260101-100000" in table.output and "val_accuracy 0.9700 @2" in table.output
    flat = " ".join(table.output.split())  # Rich may wrap a long cell
    assert "broken (no" in flat and "status.json" in flat
    listed = runner.invoke(app, ["runs", str(runs_dir), "--json", "--filter", "status=failed"])
    assert [r["name"] for r in json.loads(listed.output)["runs"]] == ["stopped-20260101-110000"]
    missing = runner.invoke(app, ["runs", str(runs_dir / "nope")])
    assert missing.exit_code == 2 and "no such runs directory" in missing.output


def test_runs_diff_report_and_schema_never_import_tensorflow(runs_dir: Path) -> None:
    """They must stay instant: each command runs in a fresh interpreter that says what
    it imported."""
    run = runs_dir / "old-20260101-100000"
    other = runs_dir / "new-20260102-100000"
    for args in (["runs", str(runs_dir)], ["diff", str(run), str(other)], ["report", str(run)],
                 ["schema"]):  # fmt: skip
        code = ("import sys; from dlcli.cli.app import app\n"
                f"try: app({args!r})\nexcept SystemExit as e: assert not e.code, e.code\n"
                "bad = [m for m in ('tensorflow', 'keras', 'jax', 'mlflow') if m in sys.modules]\n"
                "assert not bad, bad")  # fmt: skip
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
        assert done.returncode == 0, (args, done.stderr[-1500:])


def test_the_python_api_lists_diffs_and_reports(runs_dir: Path) -> None:
    import dlcli

    names = [r["name"] for r in list_runs(runs_dir)]
    assert [r["name"] for r in dlcli.list_runs(runs_dir)] == names
    old, new = runs_dir / "old-20260101-100000", runs_dir / "new-20260102-100000"
    assert {row["key"] for row in dlcli.diff(old, new)["config"]} >= {"name", "train.epochs"}
    assert dlcli.report(old) == old / files.REPORT_FILE
