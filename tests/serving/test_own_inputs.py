"""`dlcli serve` for text and time-series runs: raw strings, and windows in the columns'
own units, answered exactly as `dlcli predict` answers them (a real server on 127.0.0.1)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dlcli import api
from tests.helpers.files import REPO
from tests.helpers.servers import post_json, running_server

DATA = REPO / "configs" / "data"


def trained(name: str, tmp_path: Path):
    return api.train(REPO / "configs" / name, runs_dir=tmp_path / "runs", progress="none",
                     overrides=["train.epochs=1", "train.tensorboard=false"])  # fmt: skip


def test_a_text_run_takes_raw_strings(loopback, tmp_path: Path) -> None:
    run = trained("text_embedding_lstm.yaml", tmp_path)
    texts = ["the film was not good", "a lovely film"]
    expected = api.predict(run, texts)
    with running_server(run.path) as port:
        status, answer = post_json(port, {"inputs": texts})
        assert status == 200
        assert [r["probability"] for r in answer["predictions"]] == pytest.approx(
            [r["probability"] for r in expected], rel=1e-5)  # fmt: skip
        status, refused = post_json(port, {"inputs": [[1, 2, 3]]})
        assert status == 400 and "a list of strings" in refused["error"]
        status, refused = post_json(port, {"inputs": ["/etc/passwd.txt"]})
        assert status == 200  # a string is text, never a file the server would read


def test_a_timeseries_run_takes_windows_in_the_columns_units(loopback, tmp_path: Path) -> None:
    run = trained("lstm_temperature_forecast.yaml", tmp_path)
    prep = json.loads((run.path / "preprocessing.json").read_text())
    rows = list(csv.DictReader((DATA / "temperatures.csv").open()))[-prep["window"]:]
    window = [[float(row[c]) for c in prep["columns"]] for row in rows]
    [expected] = api.predict(run, [str(DATA / "temperatures.csv")])  # its last window
    with running_server(run.path) as port:
        status, answer = post_json(port, {"inputs": [window]})
        assert status == 200
        assert answer["predictions"][0]["values"] == pytest.approx(expected["values"], rel=1e-5)
        status, refused = post_json(port, {"inputs": [window[:5]]})
        assert status == 400 and f"each {prep['window']} rows of the columns" in refused["error"]
