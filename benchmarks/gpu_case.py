"""One case of the GPU benchmark (benchmarks/gpu.py): `dlcli train` in a process of its
own, so each case pays its own start-up and has its own memory peak, and what it measured.

The child is benchmarks/dlcli_child.py: `dlcli train` exactly as the command runs it,
plus the epoch timer the other benchmarks use and each GPU's allocator peak. Accuracy
and sample counts come from the run directory dlcli writes (metrics.json, data.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, median, run_child

CHILD = REPO / "benchmarks" / "dlcli_child.py"
NVIDIA_SMI_S = 30  # a query that takes longer than this counts as no answer


@dataclass(frozen=True)
class Case:
    config: str  # a config under configs/, without .yaml
    backend: str  # tensorflow | jax
    precision: str  # train.precision
    devices: int = 1  # 2: train.distribute mirrored over two GPUs (CPU devices in a dry run)

    @property
    def name(self) -> str:
        mirrored = f" mirrored x{self.devices}" if self.devices > 1 else ""
        return f"{self.config} {self.backend} {self.precision}{mirrored}"


@dataclass(frozen=True)
class Size:
    """How much each case trains, and on what."""

    epochs: int
    data_set: list[str] = field(default_factory=list)  # --set for a subset of MNIST
    on_gpu: bool = True  # False: the dry run on the CPU
    gpu_count: int = 1  # GPUs seen (cases that need more are skipped)


def nvidia_smi(*query: str) -> list[list[str]]:
    """nvidia-smi's CSV answer to `query`, one list of fields per GPU; [] where there is
    no nvidia-smi or it does not answer."""
    if shutil.which("nvidia-smi") is None:
        return []
    command = ["nvidia-smi", *query, "--format=csv,noheader,nounits"]
    try:
        answer = subprocess.run(
            command, capture_output=True, text=True, timeout=NVIDIA_SMI_S, check=True
        )
    except (subprocess.SubprocessError, OSError):
        return []
    return [[part.strip() for part in line.split(",")] for line in answer.stdout.splitlines()]


def gpus() -> list[dict[str, Any]]:
    """The GPUs nvidia-smi lists: index, name, driver and memory; [] where none is seen."""
    rows = nvidia_smi("--query-gpu=index,name,driver_version,memory.total")
    return [
        {"index": int(row[0]), "name": row[1], "driver": row[2], "memory_mb": float(row[3])}
        for row in rows
        if len(row) == 4 and row[0].isdigit()
    ]


class DeviceMemory:
    """nvidia-smi's memory.used on the case's GPUs, sampled while it runs: what the
    device held (for JAX, which preallocates, far more than the allocator's peak)."""

    def __init__(self, indices: list[int], every_s: float = 0.5):
        self.indices = ",".join(str(i) for i in indices)
        self.every_s = every_s
        self.peak_mb = [0.0] * len(indices)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            rows = nvidia_smi(f"--id={self.indices}", "--query-gpu=memory.used")
            for i, row in enumerate(rows[: len(self.peak_mb)]):
                if row and row[0].replace(".", "", 1).isdigit():
                    self.peak_mb[i] = max(self.peak_mb[i], float(row[0]))
            self._stop.wait(self.every_s)

    def __enter__(self) -> DeviceMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def command(case: Case, size: Size, runs: Path) -> list[str]:
    """The `dlcli train` arguments of a case, as a user would type them."""
    args = [str(CHILD), "train", str(REPO / "configs" / f"{case.config}.yaml")]
    args += ["--backend", case.backend, "--runs-dir", str(runs)]
    settings = [f"train.precision={case.precision}", f"train.epochs={size.epochs}"]
    settings.append(f"train.device={'gpu' if size.on_gpu else 'cpu'}")
    if case.devices > 1:
        settings.append("train.distribute=mirrored")
    for setting in settings:
        args += ["--set", setting]
    return args + size.data_set


def case_env(case: Case, size: Size, base: dict[str, str]) -> dict[str, str]:
    """The first GPU (the first two for mirrored), numbered as nvidia-smi numbers them;
    in a dry run no GPU, and mirrored over two logical CPU devices."""
    env = dict(base, CUDA_DEVICE_ORDER="PCI_BUS_ID")
    if size.on_gpu:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(case.devices))
    else:
        env["CUDA_VISIBLE_DEVICES"] = ""
        if case.devices > 1:
            env["DLCLI_CPU_DEVICES"] = str(case.devices)
    return env


def run_case(case: Case, size: Size, scratch: Path, timeout: float, env: dict) -> dict:
    """Train one case in a fresh process, at most `timeout` seconds; its result record."""
    runs = scratch / case.name.replace(" ", "-")
    result = runs.with_suffix(".json")
    env = case_env(case, size, dict(env, DLCLI_BENCH_RESULT=str(result)))
    sampler = DeviceMemory(list(range(case.devices))) if size.on_gpu else nullcontext()
    with sampler as memory:
        run = run_child(command(case, size, runs), env, timeout=timeout)
    record: dict[str, Any] = {**asdict(case), "case": case.name, "end_to_end_s": run.seconds}
    record["peak_rss_mb"] = run.peak_rss_mb
    if run.timed_out:
        return {**record, "status": "cut", "reason": f"cut at its limit of {timeout:.0f} s"}
    if run.returncode != 0:
        run_started = runs.is_dir() and any(runs.iterdir())
        return {**record, **not_measured(run.returncode, run.stderr or run.stdout, run_started)}
    try:
        record.update(_measured(runs, json.loads(result.read_text(encoding="utf-8"))))
    except (OSError, ValueError, KeyError, IndexError) as error:
        reason = f"exit 0, but its results could not be read: {type(error).__name__}: {error}"
        return {**record, "status": "failed", "reason": reason}
    if memory:
        record["device_memory_used_mb"] = memory.peak_mb
    return record


def not_measured(returncode: int, output: str, run_started: bool) -> dict[str, str]:
    """dlcli refusing the case before it starts a run (its one `error: ...` message, no
    run directory: a precision the CPU refuses, a backend that sees no GPU) is a skip
    with dlcli's reason; anything else, a run that failed included, is a failure."""
    lines = output.strip().splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    if errors and not run_started and not any(line.startswith("Traceback") for line in lines):
        reason = " ".join(line.strip() for line in lines[errors[0] :])
        return {"status": "skipped", "reason": reason.removeprefix("error: ")}
    return {"status": "failed", "reason": f"exit {returncode}: " + " | ".join(lines[-6:])}


def _measured(runs: Path, child: dict[str, Any]) -> dict[str, Any]:
    """Steady-state samples/s as the other benchmarks take it (the median epoch after the
    first, which pays the compile), test accuracy and where the data came from."""
    (run_dir,) = [path for path in runs.iterdir() if path.is_dir()]
    data = json.loads((run_dir / "data.json").read_text(encoding="utf-8"))
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    env = json.loads((run_dir / "env.json").read_text(encoding="utf-8"))
    seconds = child["epoch_seconds"]
    steady = median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    return {
        "status": "measured",
        "samples_per_s": data["train_samples"] / steady,
        "epoch_seconds": seconds,
        "test_accuracy": metrics["accuracy"],
        "train_samples": data["train_samples"],
        "data_source": data["source"],
        "device": env["device"],
        "devices": env["devices"],
        "xla": env.get("speed", {}).get("xla"),
        "gpu_peak_mb": child.get("gpu_peak_mb", []),
        **({"gpu_memory_error": child["gpu_memory_error"]} if "gpu_memory_error" in child else {}),
    }
