"""The model-kind registry: a kind registered from outside dlcli (here, from this test
alone, with a data source registered the same way) is validated, trained, saved and
predicted with end to end, through the public API and the CLI; its name is checked
against the registry with a did-you-mean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import dlcli
from dlcli.cli.app import app
from dlcli.config.json_schema import config_schema
from dlcli.config.model_schema import BUILT_IN_KINDS
from dlcli.config.registries import MODEL_KIND_SCHEMAS, KindSchema
from dlcli.data.preprocess import preprocess_inputs
from dlcli.data.sources import DataSource, RawData, register_source, unregister_source
from dlcli.errors import ConfigError
from dlcli.models.kind import ModelKind
from dlcli.models.kinds import MODEL_KINDS, register_model_kind, unregister_model_kind

# y = 2·a − b + 0.5, exactly (no noise): an affine model can learn it to the last digit.
AFFINE_CONFIG = """\
name: affine
seed: 0
data:
  dataset: toy_plane
  validation: none
model:
  kind: affine
  input_shape: [2]
compile:
  loss: mse
  optimizer: {name: sgd, learning_rate: 0.2}
train:
  epochs: 10
  batch_size: 4
"""


class AffineKind(ModelKind):
    """A toy kind: one Dense unit on the inputs, no `model:` keys of its own; it counts the
    epochs it sees through a callback of its own."""

    schema = KindSchema("affine")

    def __init__(self) -> None:
        self.epochs_seen = 0

    def build(self, model_cfg):
        import keras

        return keras.Sequential(
            [keras.Input(shape=tuple(model_cfg.input_shape)), keras.layers.Dense(1)],
            name="affine",
        )

    def callbacks(self, run, model_cfg) -> list:
        import keras

        kind = self

        class CountEpochs(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                kind.epochs_seen += 1

        return [CountEpochs()]

    def size_text(self, model_cfg) -> str:
        return "an affine map"


class Plane(DataSource):
    """A toy source: 64 points (a, b) and y = 2a − b + 0.5; predict reads "a,b" texts,
    which no built-in source does."""

    name = "toy_plane"

    def read(self, cfg, seed: int) -> RawData:
        x = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(64, 2)).astype("float32")
        y = (2 * x[:, :1] - x[:, 1:] + 0.5).astype("float32")
        return RawData(x, y, None, None, info={"source": "a generated plane"})

    def predict_inputs(self, run, inputs, invert):
        points = np.asarray([[float(v) for v in text.split(",")] for text in inputs])
        return preprocess_inputs(points, run.preprocessing), list(inputs)


@pytest.fixture
def plane_source():
    source = register_source(Plane())
    yield source
    unregister_source(source.name)


@pytest.fixture
def affine_kind(plane_source):
    kind = register_model_kind(AffineKind())
    yield kind
    unregister_model_kind(kind.name)


def test_a_registered_kind_validates_trains_and_predicts(tmp_path: Path, affine_kind) -> None:
    config = tmp_path / "affine.yaml"
    config.write_text(AFFINE_CONFIG, encoding="utf-8")
    checked = CliRunner().invoke(app, ["validate", str(config)])
    assert checked.exit_code == 0, checked.output
    assert "an affine map" in checked.output  # validate asks the kind for its size

    run = dlcli.train(config, runs_dir=tmp_path / "runs", progress="none")
    assert affine_kind.epochs_seen == 10  # the kind's own callback ran in fit()
    assert run.history["loss"][-1] < run.history["loss"][0] / 100
    assert "kind: affine" in (run.path / "config.yaml").read_text(encoding="utf-8")

    rows = dlcli.predict(run.path, ["1,1", "0,0"])  # read by the toy source
    values = [row["values"][0] for row in rows]
    np.testing.assert_allclose(values, [1.5, 0.5], atol=0.05)  # 2 − 1 + 0.5, and 0.5


def test_a_kind_is_accepted_only_while_registered(tmp_path: Path, affine_kind) -> None:
    config = tmp_path / "affine.yaml"
    config.write_text(AFFINE_CONFIG.replace("kind: affine", "kind: afine"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown model kind 'afine'; did you mean 'affine'"):
        dlcli.load_config(config)
    unregister_model_kind("affine")
    config.write_text(AFFINE_CONFIG, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"valid: sequential, graph, gan\)"):
        dlcli.load_config(config)
    register_model_kind(affine_kind)  # for the fixture to remove again


def test_a_kind_is_registered_once_and_reads_only_model_keys(affine_kind) -> None:
    with pytest.raises(ValueError, match="'affine' is registered already"):
        register_model_kind(AffineKind())

    class Stray(AffineKind):
        schema = KindSchema("stray", keys=("weights",))

    with pytest.raises(ValueError, match="are not model"):
        register_model_kind(Stray())
    assert "stray" not in MODEL_KINDS and "stray" not in MODEL_KIND_SCHEMAS
    with pytest.raises(ValueError, match="'gan' is a built-in model kind"):
        unregister_model_kind("gan")


def test_the_built_in_kinds_are_registered_and_offered_by_the_json_schema() -> None:
    assert tuple(MODEL_KINDS)[:3] == BUILT_IN_KINDS == tuple(MODEL_KIND_SCHEMAS)[:3]
    kind = config_schema()["$defs"]["ModelConfig"]["properties"]["kind"]
    assert kind["enum"] == list(BUILT_IN_KINDS) and kind["default"] == "sequential"
