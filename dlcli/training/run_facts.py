"""What a run records about itself before training: the model summary, how its data was
preprocessed, what the data was, and the environment (versions, devices, command line)."""

from __future__ import annotations

import platform
import sys
from typing import Any

from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir
from dlcli.training.backend import Job


def write_run_facts(
    run: RunDir, model, dataset, device: str, cfg, job: Job | None
) -> dict[str, Any]:
    """summary.txt, preprocessing.json, data.json and env.json; returns env.json's content."""
    from dlcli.training import backend
    from dlcli.training.builder import model_summary

    run.write_text(files.SUMMARY_FILE, model_summary(model))
    run.write_json(files.PREPROCESSING_FILE, dataset.preprocessing)
    run.write_json(files.DATA_FILE, {**dataset.info, "shapes": _shapes(dataset)})
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        **backend.versions(),  # backend, keras, tensorflow or jax/jaxlib
        "device": device,
        "devices": backend.device_names(),
        "distribute": cfg.train.distribute,
        "processes": job.num_processes if job else 1,
        "seed": cfg.seed,
        "command": command_line(),
        "data_files": dataset.files,
    }
    run.write_json(files.ENV_FILE, env)
    return env


def _shapes(dataset) -> dict[str, list[int] | None]:
    names = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
    return {
        n: (list(getattr(dataset, n).shape) if getattr(dataset, n) is not None else None)
        for n in names
    }


def command_line() -> str:
    """The command as the user typed it (recorded in status.json and env.json)."""
    return " ".join(["dlcli", *sys.argv[1:]]) if sys.argv else "dlcli"
