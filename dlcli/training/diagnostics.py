"""Extra measurements during training (`train.diagnostics`), written beside the history.

`gradient_norms` makes vanishing gradients visible: before training and after every
epoch it computes the loss gradient on one FIXED batch (the first training samples,
so epochs are comparable) and records the L2 norm of the gradient with respect to
each layer's kernel. Imported only by the runner, inside the functions that train.
"""

from __future__ import annotations

from typing import Any

from dlcli.runs.plots import new_figure, png_bytes
from dlcli.runs.rundir import DIAGNOSTICS_FILE, GRADIENT_PLOT, PLOTS_DIR, RunDir
from dlcli.runtime.callback_base import KerasCallback

FIXED_BATCH = 256  # samples in the batch the gradients are measured on


class GradientNorms(KerasCallback):
    """diagnostics.json: {"gradient_norms": {"epochs": [0, 1, ...], "layers": {name: [...]}}}.

    Epoch 0 is the initial model. The file is rewritten atomically after each epoch,
    so an interrupted run keeps what was measured; the plot is drawn at the end.
    """

    def __init__(self, run: RunDir, x, y, start_epoch: int = 0):
        super().__init__()
        self.run = run
        self.x, self.y = x[:FIXED_BATCH], y[:FIXED_BATCH]
        self.start_epoch = start_epoch
        self.record: dict[str, Any] = {"batch_samples": len(self.x), "epochs": [], "layers": {}}
        if start_epoch > 0:  # a resumed run carries on with what it measured before
            self.record = _measured_until(run, start_epoch) or self.record

    def on_train_begin(self, logs=None) -> None:
        if self.start_epoch == 0:
            self._measure(0)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._measure(epoch + 1)

    def on_train_end(self, logs=None) -> None:
        if self.record["epochs"]:
            self.run.write_bytes(f"{PLOTS_DIR}/{GRADIENT_PLOT}", plot_gradient_norms(self.record))

    def _measure(self, epoch: int) -> None:
        for name, norm in gradient_norms(self.model, self.x, self.y).items():
            self.record["layers"].setdefault(name, []).append(norm)
        self.record["epochs"].append(epoch)
        self.run.write_json(DIAGNOSTICS_FILE, {"gradient_norms": self.record})


def _measured_until(run: RunDir, epoch: int) -> dict[str, Any] | None:
    """The recorded norms up to `epoch` (the resume point), or None if there are none."""
    if not run.file(DIAGNOSTICS_FILE).is_file():
        return None
    record = run.read_json(DIAGNOSTICS_FILE).get("gradient_norms")
    if not record:
        return None
    keep = sum(1 for e in record["epochs"] if e <= epoch)  # drop the interrupted epoch's
    record["epochs"] = record["epochs"][:keep]
    record["layers"] = {name: values[:keep] for name, values in record["layers"].items()}
    return record


def gradient_norms(model, x, y) -> dict[str, float]:
    """Layer name -> ||d loss / d kernel|| on (x, y), in layer order (input side first)."""
    from dlcli.runtime import backend

    layers = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
    norms = backend.gradient_norms(model, x, y, [layer.kernel for layer in layers])
    return {layer.name: norm for layer, norm in zip(layers, norms, strict=True)}


def plot_gradient_norms(record: dict[str, Any]) -> bytes:
    """One line per layer over epochs, log scale: a vanishing gradient sits far below."""
    import matplotlib

    fig, ax = new_figure((8.0, 4.8))
    cmap = matplotlib.colormaps["viridis"]
    names = list(record["layers"])
    for index, name in enumerate(names):
        values = [max(v, 1e-30) for v in record["layers"][name]]  # log scale: no zeros
        color = _shade(cmap, index, len(names))
        ax.plot(record["epochs"], values, marker="o", markersize=3, label=name, color=color)
    ax.set_yscale("log")
    ax.set_xlabel("Epoch (0 = before training)")
    ax.set_ylabel("‖∂loss/∂kernel‖ on a fixed batch")
    ax.set_title("Gradient norm per layer (input side dark, output side light)")
    ax.grid(True, which="both", alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the lines
    return png_bytes(fig)


def _shade(cmap, index: int, count: int):
    """Layers ordered from input (dark) to output (light), so depth reads off the colour."""
    return cmap(0.05 + 0.85 * index / max(count - 1, 1))


def _gradient_norms(run: RunDir, dataset, start_epoch: int) -> Any:
    return GradientNorms(run, dataset.x_train, dataset.y_train, start_epoch)


# train.diagnostics name -> factory(run, dataset, start_epoch). schema.DIAGNOSTIC_NAMES
# lists the same names.
DIAGNOSTICS = {"gradient_norms": _gradient_norms}


def diagnostic_callbacks(
    names: list[str], run: RunDir, dataset, start_epoch: int = 0
) -> list:
    return [DIAGNOSTICS[name](run, dataset, start_epoch) for name in dict.fromkeys(names)]
