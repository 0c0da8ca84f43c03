"""`dataset: linear`: y = x·W + b + noise, generated, with W and b known (in the run)."""

from __future__ import annotations

import numpy as np

from dlcli.config.data_sources_schema import BUILTIN_DATASETS, LinearData
from dlcli.config.schema import DataConfig
from dlcli.data.seeding import rng
from dlcli.data.sources.base import DataSource
from dlcli.data.sources.raw import RawData, numeric
from dlcli.errors import DataError


class LinearSource(DataSource):
    name = "linear"
    rules = BUILTIN_DATASETS["linear"]

    def read(self, cfg: DataConfig, seed: int) -> RawData:
        lin = cfg.linear or LinearData()
        low, high = lin.x_range
        if not low < high:
            raise DataError(
                f"data.linear.x_range must be [low, high] with low < high, not {[low, high]}"
            )
        weights, bias = _weights(lin, seed), _bias(lin, seed)
        # Separate streams: x and noise stay the same whether or not W and b are given.
        x = rng(seed, 3).uniform(low, high, size=(lin.samples, lin.features))
        y = x @ weights + bias
        if lin.noise > 0:
            y = y + rng(seed, 4).normal(0.0, lin.noise, size=y.shape)
        raw = RawData(x, y, None, None)
        raw.info.update(
            source=f"linear: {lin.samples} samples, {lin.features} features, "
            f"{lin.outputs} outputs, noise {lin.noise}",
            true_weights=weights.tolist(),
            true_bias=bias.tolist(),
        )
        return raw


def _weights(lin: LinearData, seed: int) -> np.ndarray:
    if lin.weights is None:
        return rng(seed, 1).normal(size=(lin.features, lin.outputs))
    weights = numeric(lin.weights, "data.linear.weights")
    if weights.shape != (lin.features, lin.outputs):
        raise DataError(
            f"data.linear.weights has shape {list(weights.shape)}; it needs "
            f"features x outputs = [{lin.features}, {lin.outputs}] "
            f"({lin.features} rows of {lin.outputs} numbers)"
        )
    return weights


def _bias(lin: LinearData, seed: int) -> np.ndarray:
    if lin.bias is None:
        return rng(seed, 2).normal(size=lin.outputs)
    bias = numeric(lin.bias, "data.linear.bias")
    if bias.shape != (lin.outputs,):
        raise DataError(
            f"data.linear.bias has {bias.size} numbers; it needs one per output ({lin.outputs})"
        )
    return bias
