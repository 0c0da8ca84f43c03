"""What a GAN makes: samples drawn from noise, and the grid of them saved each epoch.

After every epoch, plots/samples_epoch_NNN.png shows samples from the same fixed noise,
so the learning can be watched; `dlcli predict RUN N` draws N samples from the run's
generator (its model.keras).
"""

from __future__ import annotations

import io

import numpy as np

from dlcli.runs.rundir import RunDir, write_atomically

GRID_SIDE = 8  # samples per row and column of the per-epoch grid
SAMPLES_PLOT = "samples_epoch_{epoch:03d}.png"  # in plots/


def sample_grid(samples: np.ndarray, upscale: int = 2) -> bytes:
    """Samples (n, h, w[, c]) with values in [0, 1] as one PNG grid, GRID_SIDE across."""
    from PIL import Image

    n = len(samples)
    side = int(np.ceil(np.sqrt(n)))
    images = samples.reshape(n, samples.shape[1], samples.shape[2], -1)
    h, w, c = images.shape[1:]
    grid = np.zeros((side * (h + 2), side * (w + 2), c), dtype=np.float32)
    for i, image in enumerate(images):
        top, left = (i // side) * (h + 2) + 1, (i % side) * (w + 2) + 1  # 1-pixel gaps
        grid[top : top + h, left : left + w] = image
    pixels = (np.clip(grid, 0, 1) * 255).astype(np.uint8)
    image = Image.fromarray(pixels[..., 0] if c == 1 else pixels)
    image = image.resize((image.width * upscale, image.height * upscale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def sample_grid_callback(run: RunDir, latent_dim: int, seed: int):
    """After every epoch: plots/samples_epoch_NNN.png from one fixed batch of noise."""
    import keras

    noise = np.random.default_rng(seed).normal(size=(GRID_SIDE**2, latent_dim)).astype("float32")

    class SampleGrid(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            samples = np.asarray(self.model.generator(noise, training=False))
            path = run.file("plots") / SAMPLES_PLOT.format(epoch=epoch + 1)
            write_atomically(path, sample_grid(samples))

    return SampleGrid()


def generate(generator, latent_dim: int, count: int, seed: int) -> np.ndarray:
    """`count` samples from noise drawn with `seed`."""
    noise = np.random.default_rng(seed).normal(size=(count, latent_dim)).astype("float32")
    return np.asarray(generator.predict(noise, verbose=0))
