"""compare / compare-optimizers on tiny inline data: fairness, one data load, outputs, resume."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.training import runner
from tests.helpers.configs import three_class_config
from tests.helpers.files import write


def invoke(*args: str):
    return CliRunner().invoke(app, [*map(str, args)])


def only_comparison(runs: Path) -> Path:
    (found,) = [p for p in runs.iterdir() if p.is_dir()]
    return found


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """Per member ("sgd-s1"): its initial weights and every batch of x it trained on."""
    seen: dict[str, dict] = {}
    original = runner.prepare_model

    def recording_prepare(loaded, output, job):
        model, device = original(loaded, output, job)
        record = {"weights": [w.copy() for w in model.get_weights()], "batches": []}
        seen[f"{loaded.config.compile.optimizer.name}-s{loaded.config.seed}"] = record
        step = model.train_step

        def train_step(data):
            record["batches"].append(np.array(data[0]))
            return step(data)

        model.run_eagerly = True  # so train_step sees concrete batches
        model.train_step = train_step
        return model, device

    monkeypatch.setattr(runner, "prepare_model", recording_prepare)
    return seen


def test_same_seed_same_initial_weights_and_batches(tmp_path, recorded):
    from dlcli.comparison.members import start
    from dlcli.comparison.plan import optimizer_axis
    from dlcli.comparison.request import ComparisonRequest
    from dlcli.training.request import Output

    axes = [optimizer_axis(["sgd,adam"], [])]
    overrides = ["train.epochs=1"]  # one epoch shows the batch order
    request = ComparisonRequest(seeds=2, runs_dir=tmp_path / "runs", output=Output("none"))
    start(three_class_config(tmp_path), overrides, axes, request)

    by_member = recorded
    assert sorted(by_member) == ["adam-s1", "adam-s2", "sgd-s1", "sgd-s2"]
    for seed in (1, 2):
        sgd, adam = by_member[f"sgd-s{seed}"], by_member[f"adam-s{seed}"]
        assert all(
            np.array_equal(a, b) for a, b in zip(sgd["weights"], adam["weights"], strict=True)
        )
        assert len(sgd["batches"]) == len(adam["batches"]) == 5  # 36 samples in batches of 8
        assert all(
            np.array_equal(a, b) for a, b in zip(sgd["batches"], adam["batches"], strict=True)
        )
    # and the check can tell members apart: another seed, other weights and batch order
    one, two = by_member["sgd-s1"], by_member["sgd-s2"]
    assert not np.array_equal(one["weights"][0], two["weights"][0])
    assert not all(
        np.array_equal(a, b) for a, b in zip(one["batches"], two["batches"], strict=True)
    )


def test_compare_optimizers_writes_everything_and_loads_data_once(tmp_path, monkeypatch):
    import dlcli.data.pipeline

    calls = []
    load = dlcli.data.pipeline.load_dataset
    monkeypatch.setattr(dlcli.data.pipeline, "load_dataset", lambda *a: calls.append(a) or load(*a))
    runs = tmp_path / "runs"
    result = invoke(
        "compare-optimizers", three_class_config(tmp_path), "--optimizers", "sgd,adam",
        "--seeds", "2",
        "--lr", "sgd=0.05", "--target", "val_loss=100", "--runs-dir", runs, "--json",
        "--set", "train.diagnostics=[gradient_norms]",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(calls) == 1  # four members, one load-and-preprocess
    assert "adam, seed 2 — 4 of 4" in result.stderr  # progress on stderr, JSON on stdout
    assert "[4/4 adam s2] epoch 2/2" in result.stderr

    out = json.loads(result.stdout)
    compare = only_comparison(runs)
    assert out["compare_dir"] == str(compare) and out["ranked_by"] == "val_accuracy"
    for name in ("compare.json", "comparison.json", "comparison.csv", "config.yaml"):
        assert (compare / name).is_file(), name
    for plot in ("loss.png", "accuracy.png", "final_val_accuracy.png"):
        assert (compare / "plots" / plot).stat().st_size > 5000, plot
    manifest = json.loads((compare / "compare.json").read_text())
    assert [m["state"] for m in manifest["members"]] == ["completed"] * 4
    for member in manifest["members"]:
        run = compare / member["run_dir"]
        assert json.loads((run / "status.json").read_text())["state"] == "completed"
        for name in ("history.json", "metrics.json", "model.keras", "config.yaml", "env.json"):
            assert (run / name).is_file(), (run, name)
        assert yaml.safe_load((run / "config.yaml").read_text())["seed"] == member["seed"]
        norms = json.loads((run / "diagnostics.json").read_text())["gradient_norms"]
        assert norms["epochs"] == [0, 1, 2] and len(norms["layers"]) == 2
        assert (run / "plots" / "gradient_norms.png").is_file()
    sgd_config = yaml.safe_load(
        (compare / manifest["members"][0]["run_dir"] / "config.yaml").read_text()
    )
    assert sgd_config["compile"]["optimizer"] == {"name": "sgd", "learning_rate": 0.05}

    summary = json.loads((compare / "comparison.json").read_text())
    for label in ("sgd", "adam"):
        group = summary["groups"][label]
        finals = [group["histories"][s]["val_accuracy"][-1] for s in ("1", "2")]
        assert group["final"]["val_accuracy"]["mean"] == pytest.approx(statistics.mean(finals))
        assert group["final"]["val_accuracy"]["std"] == pytest.approx(statistics.stdev(finals))
        assert group["epochs_to_target"] == {"per_seed": [1, 1], "mean": 1.0}  # val_loss <= 100
        assert group["seconds_per_epoch"]["mean"] > 0
    means = [row["mean"] for row in summary["ranking"]]
    assert means == sorted(means, reverse=True)
    rows = (compare / "comparison.csv").read_text().splitlines()
    assert rows[0].endswith(
        ",seconds_per_epoch,epochs_to_target,final_ci95_low,final_ci95_high,welch_p"
    )
    assert any(r.startswith("sgd,val_loss,2,") and r.split(",")[8] == "1" for r in rows)
    assert any(r.startswith("sgd,val_accuracy,2,") and r.split(",")[8] == "" for r in rows)
    test = summary["best_vs_runner_up"]
    assert test["test"] == "Welch's t-test" and test["n"] == [2, 2]


def test_resume_reruns_only_the_unfinished_member(tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    fit = runner._fit

    def interrupted_adam(run, *args):
        if run.path.name.startswith("adam"):
            raise KeyboardInterrupt  # as Ctrl-C during adam's first epoch
        return fit(run, *args)

    monkeypatch.setattr(runner, "_fit", interrupted_adam)
    config = three_class_config(tmp_path)
    first = invoke(
        "compare-optimizers", config, "--optimizers", "sgd,adam", "--runs-dir", runs, "-q"
    )
    assert first.exit_code == 130
    compare = only_comparison(runs)
    assert f"dlcli compare --resume {compare}" in first.output
    manifest = json.loads((compare / "compare.json").read_text())
    assert [m["state"] for m in manifest["members"]] == ["completed", "interrupted"]
    sgd_dir, stale = (m["run_dir"] for m in manifest["members"])
    sgd_status = (compare / sgd_dir / "status.json").read_text()
    # What a killed process (kill -9) leaves: the member still `running`, its run dir unnamed
    manifest["members"][1].update(state="running", run_dir=None)
    (compare / "compare.json").write_text(json.dumps(manifest))

    monkeypatch.setattr(runner, "_fit", fit)
    trained = []
    train_on = runner.train_on
    monkeypatch.setattr(
        runner, "train_on", lambda loaded, data, request, **options: trained.append(request.name)
        or train_on(loaded, data, request, **options),
    )  # fmt: skip
    second = invoke("compare-optimizers", "--resume", compare, "-q")
    assert second.exit_code == 0, second.output
    assert trained == ["adam-seed1"]
    assert (compare / sgd_dir / "status.json").read_text() == sgd_status  # untouched
    manifest = json.loads((compare / "compare.json").read_text())
    adam = manifest["members"][1]
    assert adam["state"] == "completed" and adam["stale_run_dirs"] == [stale]
    assert adam["run_dir"] != stale
    summary = json.loads((compare / "comparison.json").read_text())
    assert summary["incomplete_members"] == [] and len(summary["ranking"]) == 2


def deep_config(folder: Path, hidden: int = 8) -> Path:
    config = yaml.safe_load(three_class_config(folder).read_text())
    config["model"]["layers"] = [{"Dense": {"units": 16}}] * hidden + [
        {"Dense": {"units": 3, "activation": "softmax"}}
    ]
    config["train"].update(epochs=1, diagnostics=["gradient_norms"])
    return write(folder / "deep.yaml", yaml.safe_dump(config))


@pytest.mark.parametrize("activation, vanishes", [("sigmoid", True), ("relu", False)])
def test_gradient_norms_vanish_through_a_deep_sigmoid_net(tmp_path, activation, vanishes):
    """What diagnostics.json records, measured on the initial model (no fit: fast)."""
    from dlcli.config.loader import load_config
    from dlcli.training.diagnostics import gradient_norms
    from dlcli.training.request import Output
    from dlcli.training.runner import load_checked_data, prepare_model

    loaded = load_config(deep_config(tmp_path), [f"model.activation={activation}"])
    data = load_checked_data(loaded)
    model, _ = prepare_model(loaded, Output("none"))
    norms = list(gradient_norms(model, data.x_train, data.y_train).values())
    assert len(norms) == 9 and all(n > 0 for n in norms)
    assert (norms[-1] >= 10 * norms[0]) is vanishes, norms


@pytest.mark.slow  # ~10-20 s here: the fast test above checks the measurement itself
def test_compare_vary_records_vanishing_sigmoid_gradients(tmp_path):
    """The same through `compare` and diagnostics.json, after an epoch of training."""
    runs = tmp_path / "runs"
    result = invoke(
        "compare", deep_config(tmp_path), "--vary", "model.activation=sigmoid,relu",
        "--runs-dir", runs,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "activation=sigmoid, seed 1 — 1 of 2" in result.output
    compare = only_comparison(runs)
    ratios = {}
    for member in json.loads((compare / "compare.json").read_text())["members"]:
        run = compare / member["run_dir"]
        norms = json.loads((run / "diagnostics.json").read_text())["gradient_norms"]
        assert norms["epochs"] == [0, 1] and len(norms["layers"]) == 9
        first, *_, last = norms["layers"].values()
        ratios[member["group"]] = last[-1] / first[-1]
    assert ratios["activation=sigmoid"] >= 10
    assert ratios["activation=relu"] < 10


@pytest.mark.slow
@pytest.mark.mnist
def test_deep_sigmoid_vs_relu_config_on_mnist(tmp_path, mnist_dir):
    runs = tmp_path / "runs"
    result = invoke(
        "compare", "configs/deep_sigmoid_vs_relu.yaml", "--vary", "model.activation=sigmoid,relu",
        "--set", "train.epochs=2", "--runs-dir", runs, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    compare = only_comparison(runs)
    for member in json.loads((compare / "compare.json").read_text())["members"]:
        norms = json.loads((compare / member["run_dir"] / "diagnostics.json").read_text())
        first, *_, last = norms["gradient_norms"]["layers"].values()
        if member["group"] == "activation=sigmoid":
            assert all(lo * 10 <= hi for lo, hi in zip(first, last, strict=True))
        else:
            assert all(lo * 10 > hi for lo, hi in zip(first, last, strict=True))


def test_a_failing_member_is_recorded_and_the_others_still_compared(tmp_path, monkeypatch):
    from dlcli.errors import TrainingError

    fit = runner._fit

    def nan_for_sgd(run, *args):
        if run.path.name.startswith("sgd"):
            raise TrainingError("the loss became NaN or infinite at epoch 1, batch 3")
        return fit(run, *args)

    monkeypatch.setattr(runner, "_fit", nan_for_sgd)
    runs = tmp_path / "runs"
    result = invoke("compare-optimizers", three_class_config(tmp_path), "--optimizers", "sgd,adam",
                    "--runs-dir", runs)  # fmt: skip
    assert result.exit_code == 1
    assert "sgd-seed1 failed: the loss became NaN" in result.output
    assert "1 member(s) did not complete (sgd-seed1)" in result.output  # under the table
    compare = only_comparison(runs)
    sgd = json.loads((compare / "compare.json").read_text())["members"][0]
    assert sgd["state"] == "failed" and "NaN" in sgd["reason"]
    assert json.loads((compare / sgd["run_dir"] / "status.json").read_text())["state"] == "failed"
    summary = json.loads((compare / "comparison.json").read_text())
    assert [row["group"] for row in summary["ranking"]] == ["adam"]
