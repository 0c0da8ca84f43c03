"""A freshly trained model scored on its held-out split (test, else validation, else
train), and every classifier's confusion matrix drawn into plots/ with class names."""

from __future__ import annotations

from pathlib import Path

from dlcli.errors import ModelError


def final_evaluation(
    model, dataset, batch_size: int, plots_dir: Path, confusion: bool = True
) -> tuple[dict[str, float], str]:
    """The metrics on the held-out split, and which split that was. `confusion`: draw the
    confusion matrix of a classifier (not in a job of several processes, whose
    predictions are spread over them, nor for a kind that classifies nothing:
    ModelKind.confusion_matrix)."""
    from dlcli.runtime.backend import translated_errors
    from dlcli.runtime.feeding import evaluate_on, evaluation_split

    split, x, y = evaluation_split(dataset, batch_size)
    with translated_errors(ModelError, f"evaluation on the {split} split failed"):
        metrics = evaluate_on(model, x, y, batch_size)
        if confusion and dataset.num_classes:
            _confusion_plot(model, dataset, x, y, batch_size, plots_dir)
    return metrics, split


def _confusion_plot(model, dataset, x, y, batch_size: int, plots_dir: Path) -> None:
    from dlcli.data.class_names import recorded_class_names
    from dlcli.runs.confusion import confusion_matrix, plot_confusion
    from dlcli.runtime.feeding import class_predictions

    y_true, y_pred = class_predictions(model, x, y, batch_size)
    names = recorded_class_names({**dataset.preprocessing, "num_classes": dataset.num_classes})
    assert names is not None  # a classifier: num_classes is set
    counts = confusion_matrix(y_true, y_pred, len(names))
    plot_confusion(counts, names, plots_dir)
