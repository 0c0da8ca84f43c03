"""Class names: what each class id means, shown beside every prediction.

From the config's `data.classes`, else the built-in dataset's own names (those Keras
documents for mnist, fashion_mnist and cifar10), else the ids themselves as text.
Recorded in preprocessing.json so predict, the server and exports agree. numpy only.
"""

from __future__ import annotations

from dlcli.config.schema import DataConfig
from dlcli.errors import DataError

BUILTIN_CLASSES: dict[str, list[str]] = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
    "cifar10": [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ],
}  # fmt: skip


def recorded_class_names(preprocessing: dict) -> list[str] | None:
    """The names a run recorded, or its class ids as text (runs from before names were
    recorded); None for a regression."""
    classes = preprocessing.get("num_classes")
    names = preprocessing.get("class_names")
    if names:
        return [str(n) for n in names]
    return [str(i) for i in range(classes)] if classes else None


def class_names(cfg: DataConfig, num_classes: int | None) -> list[str] | None:
    """One name per class id, or None for a regression (no classes)."""
    if num_classes is None:
        if cfg.classes is not None:
            raise DataError(
                "data.classes names classes, but this model has none (labels: raw without "
                "num_classes is a regression); remove data.classes or set num_classes"
            )
        return None
    names = cfg.classes
    if names is None:
        builtin = BUILTIN_CLASSES.get(cfg.dataset)
        names = builtin if builtin and len(builtin) == num_classes else None
    if names is None:
        return [str(i) for i in range(num_classes)]
    if len(names) != num_classes:
        raise DataError(
            f"data.classes has {len(names)} names but the model has {num_classes} classes: "
            "give one name per class id, in order"
        )
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise DataError(f"data.classes: {', '.join(map(repr, twice))} named more than once")
    return list(names)
