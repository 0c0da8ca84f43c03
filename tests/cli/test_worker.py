"""`python -m dlcli.cli.worker`: the processes dlcli starts report errors as commands do."""

from __future__ import annotations

import json
import subprocess
import sys


def _worker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dlcli.cli.worker", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_wrong_call_prints_the_usage_and_exits_2():
    done = _worker("nonsense")
    assert done.returncode == 2 and "python -m dlcli.cli.worker train" in done.stderr


def test_a_member_of_no_comparison_is_one_message_not_a_traceback(tmp_path):
    task = {"compare_dir": str(tmp_path / "missing"), "member": "adam-s1", "quiet": True,
            "job": [None, 1, 0]}  # fmt: skip
    done = _worker("member", json.dumps(task))
    assert done.returncode != 0
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
