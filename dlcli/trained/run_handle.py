"""`Run`: a run directory as the Python API hands it back — path, history, metrics, model.

`dlcli.api.train` returns one for the run it trained; `Run.open(path)` makes one for any
run directory. The model is loaded only when first asked for (Keras starts then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir


@dataclass
class Run:
    """A run directory and what it holds: `path`, `history`, `metrics` and `model`."""

    path: Path
    history: dict[str, list[float]] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    evaluated_on: str | None = None  # the split the final metrics come from
    device: str | None = None  # set when this process trained it
    seconds: float | None = None  # likewise: training time end to end
    _model: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> Run:
        """An existing run directory (e.g. one trained earlier from the command line)."""
        run = RunDir.open(path)
        history = run.read_json_optional(files.HISTORY_FILE)
        metrics = run.read_json_optional(files.METRICS_FILE)
        split = metrics.pop("split", None)
        return cls(run.path, history, metrics, split)

    @property
    def status(self) -> dict[str, Any]:
        """status.json: state (running | completed | failed | interrupted), epochs, reason."""
        return RunDir.open(self.path).status()

    @property
    def model(self):
        """The trained Keras model (model.keras), loaded on first use in safe mode."""
        if self._model is None:
            from dlcli.trained.inference import load_trained

            self._model = load_trained(self.path).model
        return self._model


