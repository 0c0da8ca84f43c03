"""Peak memory of training on an image folder, against the folder's size.

`dataset: image_folder` streams images from disk (a tf.data pipeline of file paths,
dlcli.data.image_folder.image_stream), so training memory should not grow with the folder:
this trains one epoch on a small folder and on one several times larger (random-noise
PNGs, stored uncompressed so the bytes on disk are the pixels) and reports each child's
peak resident memory (os.wait4's ru_maxrss). The large folder is bigger than the memory
cap (MEMORY_CAP_MB): its training must stay under the cap, and a loader that decoded
everything into float32 arrays would need the "decoded" column on top of TensorFlow.

    python -m benchmarks --only image_folder_memory
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import check, run_child, table

MEMORY_CAP_MB = 1024  # the bound the large folder's training must stay under
IMAGE_SIDE = 256  # stored images are 256x256 RGB
TRAIN_SIDE = 128  # resized to 128x128 for training
SIZES = (400, 6000)  # images per folder: small, and one larger than the cap on disk

CONFIG = """name: folder_memory
data:
  dataset: image_folder
  path: {path}
  image_folder: {{image_size: [{side}, {side}], resize: true, color_mode: rgb}}
  labels: sparse
  validation: none
model:
  input_shape: [{side}, {side}, 3]
  activation: relu
  layers:
    - Conv2D: {{filters: 8, kernel_size: 3, strides: 2}}
    - GlobalAveragePooling2D
    - Dense: {{units: 2, activation: softmax}}
compile:
  loss: sparse_categorical_crossentropy
  optimizer: adam
train:
  epochs: 1
  batch_size: 32
"""


def make_folder(root: Path, count: int) -> float:
    """`count` noise PNGs in two classes; returns the folder's size in MB."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for i in range(count):
        folder = root / ("a" if i % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, (IMAGE_SIDE, IMAGE_SIDE, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:05d}.png", compress_level=0)
    return sum(p.stat().st_size for p in root.rglob("*.png")) / 2**20


def measure(sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="dlcli-bench-folder-"))
    try:
        for count in sizes:
            folder = scratch / f"images-{count}"
            disk_mb = make_folder(folder, count)
            config = scratch / f"config-{count}.yaml"
            config.write_text(CONFIG.format(path=folder, side=TRAIN_SIDE))
            runs = scratch / f"runs-{count}"
            run = run_child(["-m", "dlcli", "train", str(config), "--runs-dir", str(runs), "-q"])
            check(run, f"training on {count} images")
            [data_json] = runs.glob("*/data.json")
            trained_on = json.loads(data_json.read_text())["train_samples"]
            if trained_on != count:  # the row must measure a training on every image
                raise SystemExit(f"benchmark: trained on {trained_on} of {count} images")
            rows.append({
                "images": count,
                "folder_mb": round(disk_mb, 1),
                "decoded_float32_mb": round(count * TRAIN_SIDE**2 * 3 * 4 / 2**20, 1),
                "peak_rss_mb": round(run.peak_rss_mb, 1),
                "seconds": round(run.seconds, 1),
                "under_cap": run.peak_rss_mb < MEMORY_CAP_MB,
            })  # fmt: skip
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    growth = rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"] if len(rows) > 1 else 1.0
    body = [[r["images"], r["folder_mb"], r["decoded_float32_mb"], r["peak_rss_mb"],
             r["seconds"], "yes" if r["under_cap"] else "NO"] for r in rows]  # fmt: skip
    title = (f"image_folder streaming: peak RSS vs folder size (cap {MEMORY_CAP_MB} MB; "
             f"RSS x{growth:.2f} for a x{rows[-1]['images'] / rows[0]['images']:.0f} folder)")
    header = ["images", "folder MB", "decoded MB", "peak RSS MB", "s", "under cap"]
    return table(title, header, body)
