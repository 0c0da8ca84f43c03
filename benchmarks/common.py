"""What the benchmarks share: timed child processes, medians, tables, results files.

Every measurement runs in a fresh child process (so it pays imports like a user
does) with PYTHONPATH pointing at this checkout, so it measures this tree's dlcli.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "benchmarks" / "results"  # git-ignored
PYTHON = sys.executable


@dataclass
class ChildRun:
    """One child process: its exit code, wall time, peak memory and output."""

    returncode: int
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False  # killed at run_child's timeout


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.update(extra)
    return env


def run_child(
    args: list[str],
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
    timeout: float | None = None,
) -> ChildRun:
    """Run `python ARGS` and measure it: wall time from start to exit, and the peak
    resident memory of that child alone (os.wait4 gives each child's rusage). A child
    still running after `timeout` seconds is killed (ChildRun.timed_out)."""
    import threading

    started = time.perf_counter()
    with (
        open(os.devnull, "rb") as stdin,
        _scratch("stdout") as out,
        _scratch("stderr") as err,
    ):
        process = subprocess.Popen(
            [PYTHON, *args], stdin=stdin, stdout=out, stderr=err, env=env or child_env(), cwd=cwd
        )
        killer = threading.Timer(timeout, process.kill) if timeout else None
        if killer:
            killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        timed_out = killer is not None and killer.finished.is_set()  # set once it fired
        if killer:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    # ru_maxrss is in KiB on Linux.
    peak_rss_mb = usage.ru_maxrss / 1024
    return ChildRun(process.returncode, seconds, peak_rss_mb, stdout, stderr, timed_out)


def _scratch(name: str):
    import tempfile

    return tempfile.TemporaryFile(mode="w+", prefix=f"dlcli-bench-{name}-")


def check(run: ChildRun, what: str) -> None:
    if run.returncode != 0:
        tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-15:])
        raise SystemExit(f"benchmark: {what} failed (exit {run.returncode}):\n{tail}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table (for terminals, logs and the README alike)."""
    cells = [header, *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def machine() -> dict[str, Any]:
    """nproc, CPU model and memory: what the numbers were measured on."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024**2, 1),
        "load_average": os.getloadavg(),
    }


def write_results(name: str, results: dict[str, Any]) -> Path:
    """NAME-<stamp>.json and NAME-latest.json in benchmarks/results/, or in
    $DLCLI_BENCH_RESULTS_DIR (tests, so they never replace a real run's latest)."""
    folder = Path(os.environ.get("DLCLI_BENCH_RESULTS_DIR") or RESULTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{name}-{stamp}.json"
    text = json.dumps(results, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    (folder / f"{name}-latest.json").write_text(text, encoding="utf-8")
    return path
