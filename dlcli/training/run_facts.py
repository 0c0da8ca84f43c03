"""What a run records about itself before training: the model summary, how its data was
preprocessed, what the data was, and the environment (versions, devices, command line)."""

from __future__ import annotations

import platform
import sys
from typing import Any

from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.runtime.backend import Job


def write_run_facts(
    run: RunDir, model, dataset, device: str, cfg, job: Job, speed: dict | None = None
) -> dict[str, Any]:
    """summary.txt, preprocessing.json, data.json and env.json; returns env.json's content."""
    from dlcli.models.builder import model_summary
    from dlcli.runtime import backend
    from dlcli.runtime.feeding import shapes
    from dlcli.runtime.speed_policy import speed_summary

    summary = model_summary(model) + (speed_summary(speed) if speed else "")
    run.write_text(files.SUMMARY_FILE, summary)
    run.write_json(files.PREPROCESSING_FILE, dataset.preprocessing)
    for name, text in dataset.run_files.items():  # e.g. the text vocabulary
        run.write_text(name, text)
    run.write_json(files.DATA_FILE, {**dataset.info, "shapes": shapes(dataset)})
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        **backend.versions(),  # backend, keras, tensorflow or jax/jaxlib
        "device": device,
        "devices": backend.device_names(),
        "distribute": cfg.train.distribute,
        "processes": job.num_processes,
        "seed": cfg.seed,
        "command": command_line(),
        "data_files": dataset.files,
        "speed": speed,
    }
    run.write_json(files.ENV_FILE, env)
    return env


def command_line() -> str:
    """The command as the user typed it (recorded in status.json and env.json)."""
    return " ".join(["dlcli", *sys.argv[1:]]) if sys.argv else "dlcli"
