"""Random generators of the data stage: one seed, independent streams."""

from __future__ import annotations

import numpy as np


def rng(seed: int, *stream: int) -> np.random.Generator:
    """A generator for `seed`; `stream` gives independent ones."""
    return np.random.default_rng([seed, *stream] if stream else seed)
