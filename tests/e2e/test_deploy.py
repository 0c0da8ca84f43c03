"""Real MNIST end to end: train, export the three formats, serve, ask over HTTP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlcli import api
from tests.helpers.files import REPO
from tests.helpers.servers import post_json, served_process


@pytest.mark.slow
@pytest.mark.mnist
def test_mnist_export_and_serve(mnist_dir: Path, tmp_path: Path, loopback) -> None:
    run = api.train(REPO / "configs" / "mnist_mlp.yaml", overrides=["train.epochs=1"],
                    runs_dir=tmp_path, progress="none").path  # fmt: skip
    records = api.export(run)
    assert [r["check"]["passed"] for r in records] == [True, True, True]
    digits = np.load(mnist_dir / "mnist.npz")
    x, y = digits["x_test"][:50], digits["y_test"][:50]
    with served_process(run) as (port, _):
        status, answer = post_json(port, {"inputs": x.tolist()})
    assert status == 200
    classes = [int(row["class_name"]) for row in answer["predictions"]]
    assert np.mean(np.array(classes) == y) >= 0.9
