"""`dlcli diff RUN_A RUN_B`: the config keys that differ, and the metric deltas.

Reads config.yaml, metrics.json, history.json and status.json of two run directories;
no TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlcli.config.yaml_reader import parse_yaml
from dlcli.errors import ConfigError, RunDirError
from dlcli.runs import rundir as files
from dlcli.runs.catalog import best_validation, read_run
from dlcli.runs.rundir import RunDir


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested config as dotted keys: `model.layers.0.Dense.units` -> 512. Unset (None)
    values are left out; empty lists and mappings stay as `[]` / `{}`."""
    if isinstance(data, dict) and data:
        items = data.items()
    elif isinstance(data, list) and data:
        items = ((str(i), v) for i, v in enumerate(data))
    else:
        return {} if data is None else {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def diff_runs(run_a: str | Path, run_b: str | Path) -> dict[str, Any]:
    """{"config": [{key, a, b}], "metrics": [{metric, a, b, delta}], "a": path, "b": path}.
    A key or metric only one run has shows `None` on the other side."""
    a, b = RunDir.open(run_a), RunDir.open(run_b)
    config_a, config_b = flatten(_config(a)), flatten(_config(b))
    changed = [
        {"key": key, "a": config_a.get(key), "b": config_b.get(key)}
        for key in dict.fromkeys([*config_a, *config_b])
        if config_a.get(key) != config_b.get(key)
    ]
    metrics_a, metrics_b = _metrics(a), _metrics(b)
    deltas = []
    for metric in dict.fromkeys([*metrics_a, *metrics_b]):
        va, vb = metrics_a.get(metric), metrics_b.get(metric)
        delta = vb - va if va is not None and vb is not None else None
        deltas.append({"metric": metric, "a": va, "b": vb, "delta": delta})
    return {"a": str(a.path), "b": str(b.path), "config": changed, "metrics": deltas}


def _config(run: RunDir) -> dict[str, Any]:
    path = run.file(files.CONFIG_FILE)
    try:  # read as every run file is (dlcli.runs.reading), then parsed bounded as a
        # config file is (dlcli.config.yaml_reader): an alias bomb is refused, not expanded
        data = parse_yaml(run.read_text(files.CONFIG_FILE), str(path))
    except OSError as error:
        raise RunDirError(f"{path}: unreadable ({str(error).splitlines()[0]})") from None
    except ConfigError as error:
        raise RunDirError(f"unreadable run config: {error}") from None
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: not a config (expected a mapping of keys)")
    return data


def _metrics(run: RunDir) -> dict[str, float | int]:
    """Final metrics (`test_accuracy`), the best validation value, epochs and seconds."""
    row = read_run(run.path)
    found: dict[str, float | int] = {}
    metrics = run.read_json_optional(files.METRICS_FILE)
    split = metrics.get("split", "test")
    for key, value in metrics.items():
        if isinstance(value, int | float):
            found[f"{split}_{key}"] = float(value)
    best = best_validation(run.read_json_optional(files.HISTORY_FILE))
    if best:
        found[f"best {best['metric']}"] = float(best["value"])
        found[f"best {best['metric']} epoch"] = best["epoch"]
    if row["epochs"] is not None:
        found["epochs"] = row["epochs"]
    if row["duration"] is not None and row["status"] == files.COMPLETED:
        found["seconds"] = float(row["duration"])
    return found


