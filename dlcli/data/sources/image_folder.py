"""`dataset: image_folder`: one subfolder per class of PNG/JPEG images, streamed from
disk (`dlcli.data.image_folder`).

An image given to `predict`, uploaded to the server or read by `evaluate --data` (a
folder of class folders, streamed in file order) is decoded and resized by the function
training decodes with, so a training image gives the model the same pixels everywhere;
photos are taken as they are (no MNIST-style inversion).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dlcli.config.data_sources_schema import BUILTIN_DATASETS
from dlcli.config.schema import DataConfig
from dlcli.data.dataset import Dataset
from dlcli.data.evaluation_data import EvaluationData, training_class_ids
from dlcli.data.image_folder import decode_like_training
from dlcli.data.sources.base import DataSource, FinishedRun


class ImageFolderSource(DataSource):
    name = "image_folder"
    rules = BUILTIN_DATASETS["image_folder"]
    decode_image = staticmethod(decode_like_training)
    how = (
        "image file -> decoded with 1 (grayscale) or 3 (rgb) channels -> "
        "resized bilinearly to model_shape's height and width (resize: true; otherwise it "
        "must already be that size) -> float32 -> x / scale"
    )

    def load(self, cfg: DataConfig, seed: int) -> Dataset:
        from dlcli.data.image_folder import load_image_folder

        return load_image_folder(cfg, seed)

    def predict_inputs(
        self, run: FinishedRun, inputs: list[str], invert: str
    ) -> tuple[Any, Sequence[str]]:
        return super().predict_inputs(run, inputs, "never")

    def evaluation_data(self, path: str, run: FinishedRun) -> EvaluationData:
        """Streamed in file order (no shuffle), decoded and resized as training decoded,
        scaled by the run's `scale`; labels are the training class indices."""
        from dlcli.data.image_folder import image_stream

        files = _image_files(Path(path), run.preprocessing)
        batch_size = run.config.train.eval_batch_size
        return EvaluationData(image_stream(files, run.preprocessing, batch_size), None,
                              len(files))  # fmt: skip


def _image_files(folder: Path, prep: dict[str, Any]) -> list[tuple[str, int]]:
    """(path, TRAINING class id) of every image; each class folder must be a training
    class and hold images that read, of the run's size unless the run resized."""
    from dlcli.data.image_folder import check_trained_size, scan_folder

    scan = scan_folder(folder, min_classes=1)
    ids = training_class_ids(list(scan.images), prep, str(folder), "has class folders")
    for size, path in scan.sizes.items():  # the first image of each size found
        check_trained_size(size, str(path), prep)
    return [(str(p), int(k)) for k, paths in zip(ids, scan.images.values(), strict=True)
            for p in paths]  # fmt: skip
