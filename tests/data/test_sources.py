"""dlcli.data.sources: one registry of data sources, and a source added from outside.

The strong check: a toy source defined and registered here alone (no edit in dlcli)
validates, trains and predicts end to end through the public API, reading its own kind
of predict inputs; unregistered, its name is an unknown dataset again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from dlcli import api
from dlcli.config.data_sources_schema import BUILTIN_DATASETS
from dlcli.config.registries import DATASETS
from dlcli.data.preprocess import preprocess_inputs
from dlcli.data.sources import (
    SOURCES,
    DataSource,
    FinishedRun,
    RawData,
    register_source,
    source_for,
    unregister_source,
)
from dlcli.errors import ConfigError, DataError


class Quadrants(DataSource):
    """Points (x1, x2) in [-1, 1]², class 1 right of the vertical axis; predict takes
    points written as text, "x1,x2", which no built-in source reads."""

    name = "toy_quadrants"

    def read(self, cfg, seed: int) -> RawData:
        x = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(200, 2))
        y = (x[:, 0] > 0).astype(np.int64)
        return RawData(x, y, None, None, info={"source": "generated quadrants"})

    def predict_inputs(
        self, run: FinishedRun, inputs: list[str], invert: str
    ) -> tuple[Any, Sequence[str]]:
        points = np.asarray([[float(v) for v in text.split(",")] for text in inputs])
        return preprocess_inputs(points, run.preprocessing), list(inputs)


@pytest.fixture
def quadrants() -> Iterator[Quadrants]:
    source = register_source(Quadrants())
    yield source
    unregister_source(source.name)


def _config(tmp_path: Path) -> Path:
    config = {
        "name": "toy", "seed": 3,
        "data": {"dataset": "toy_quadrants", "labels": "sparse", "validation": "none"},
        "model": {"input_shape": [2], "layers": [{"Dense": {"units": 8, "activation": "tanh"}},
                                                 {"Dense": {"units": 2, "activation": "softmax"}}]},
        "compile": {"loss": "sparse_categorical_crossentropy",
                    "optimizer": {"name": "adam", "learning_rate": 0.1},
                    "metrics": ["accuracy"]},
        "train": {"epochs": 8, "batch_size": 16, "tensorboard": False},
    }  # fmt: skip
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_every_built_in_name_has_one_source_with_the_configs_rules() -> None:
    assert list(SOURCES) == list(BUILTIN_DATASETS)
    for name, source in SOURCES.items():
        assert source.name == name and source.rules is BUILTIN_DATASETS[name]
    assert source_for("csv").needs_path and not source_for("timeseries").needs_path
    with pytest.raises(DataError, match="unknown dataset 'nope'"):
        source_for("nope")


def test_a_registered_source_trains_and_predicts_end_to_end(quadrants, tmp_path) -> None:
    run = api.train(_config(tmp_path), runs_dir=tmp_path / "runs", progress="none")
    assert run.metrics["accuracy"] > 0.9  # on the held-out test split the pipeline made
    rows = api.predict(run, ["0.8,0.1", "-0.7,0.4"])
    assert [row["class"] for row in rows] == [1, 0]
    assert [row["input"] for row in rows] == ["0.8,0.1", "-0.7,0.4"]


def test_an_unregistered_name_is_an_unknown_dataset_again(quadrants, tmp_path) -> None:
    config = _config(tmp_path)
    assert api.validate(config, data=True).data  # the data read, checked against the model
    unregister_source(quadrants.name)
    assert "toy_quadrants" not in DATASETS
    with pytest.raises(ConfigError, match="unknown dataset 'toy_quadrants'"):
        api.load_config(config)
    register_source(quadrants)  # for the fixture to remove


def test_a_taken_name_is_refused() -> None:
    with pytest.raises(ValueError, match="a name of its own"):
        register_source(source_for("mnist"))
    assert DATASETS["mnist"] is BUILTIN_DATASETS["mnist"]
