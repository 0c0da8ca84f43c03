"""compare's command-line values and mistakes: all reported before anything trains."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dlcli.cli.app import app
from dlcli.compare.plan import optimizer_axis, parse_target, split_values, vary_axes, vary_axis
from dlcli.compare.stats import _ranking, mean_std
from dlcli.errors import UsageError
from tests.compare.test_members import tiny_config


def test_values_split_on_commas_outside_brackets():
    assert split_values("relu,tanh") == ["relu", "tanh"]
    stacks = "[{Dense: {units: 1}}],[{Dense: {units: 4}}, {Dense: {units: 1}}]"
    assert split_values(stacks) == [
        "[{Dense: {units: 1}}]",
        "[{Dense: {units: 4}}, {Dense: {units: 1}}]",
    ]
    assert split_values("'a,b',c") == ["'a,b'", "c"]
    for bad in ("[1,2", "a,,b", "'a"):
        with pytest.raises(UsageError, match="cannot split"):
            split_values(bad)


def test_vary_labels_short_values_by_value_and_long_ones_by_number():
    axis = vary_axis("model.activation=sigmoid,relu")
    assert axis.values == [
        ("activation=sigmoid", "model.activation=sigmoid"),
        ("activation=relu", "model.activation=relu"),
    ]
    stacks = vary_axis(
        "model.layers=[{Dense: {units: 1, activation: sigmoid}}],[{Dense: {units: 4}}]"
    )
    assert [label for label, _ in stacks.values] == ["layers#1", "layers#2"]
    with pytest.raises(UsageError, match="--seeds"):
        vary_axis("seed=1,2")
    with pytest.raises(UsageError, match="twice"):
        vary_axes(["train.batch_size=8,16", "train.batch_size=32"])


def test_optimizer_presets_and_learning_rates():
    axis = optimizer_axis([], ["adam=0.01"])
    assert [label for label, _ in axis.values] == [
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
    ]
    assert axis.values[-1][1] == "compile.optimizer={name: adam, learning_rate: 0.01}"
    with pytest.raises(UsageError, match="did you mean 'rmsprop'"):
        optimizer_axis(["rmsprob"], [])
    with pytest.raises(UsageError, match="NAME one of sgd"):
        optimizer_axis(["sgd"], ["adam=0.1"])
    assert parse_target("val_accuracy=0.97") == ("val_accuracy", 0.97)
    with pytest.raises(UsageError, match="METRIC=NUMBER"):
        parse_target("val_accuracy")


def test_ranking_notes_overlapping_spreads():
    groups = {
        "a": {"final": {"val_loss": mean_std([0.10, 0.12])}},
        "b": {"final": {"val_loss": mean_std([0.11, 0.13])}},
        "c": {"final": {"val_loss": mean_std([0.50, 0.52])}},
    }
    ranking = _ranking(groups, "val_loss")  # lower is better
    assert [r["group"] for r in ranking] == ["a", "b", "c"]
    assert ranking[0]["within_spread_of"] == ["b"] and ranking[2]["within_spread_of"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "{config}", "--runs-dir", "{runs}"], "at least one --vary"),
        (["compare", "{config}", "--vary", "model.activation=sigmoidd", "--runs-dir", "{runs}"],
         "did you mean 'sigmoid'"),
        (["compare", "{config}", "--vary", "model.nothing=1,2", "--runs-dir", "{runs}"],
         "unknown key 'nothing'"),
        (["compare", "{config}", "--vary", "model.layers.1.Dense.units=3,2",
          "--runs-dir", "{runs}"],
         "the output layer has 2 units but the data has 3 classes"),
        (["compare", "--runs-dir", "{runs}"], "give a CONFIG file, or --resume"),
        (["compare", "{config}", "--resume", "{runs}", "--vary", "seed=1"], "give no CONFIG"),
        (["compare-optimizers", "--resume", "{runs}"], "not a comparison directory"),
        (["compare-optimizers", "{config}", "--optimizers", "sgd,rmsprob", "--runs-dir", "{runs}"],
         "did you mean 'rmsprop'"),
    ],
)  # fmt: skip
def test_mistakes_give_one_message_and_train_nothing(tmp_path, args, message):
    config, runs = tiny_config(tmp_path), tmp_path / "runs"
    runs.mkdir()
    result = CliRunner().invoke(app, [a.format(config=config, runs=runs) for a in args])
    assert result.exit_code in (1, 2), result.output
    assert message in result.output and "Traceback" not in result.output
    assert list(runs.iterdir()) == []  # no comparison directory was created


def test_diagnostics_names_are_checked_and_match_the_callbacks(tmp_path):
    from dlcli.config.loader import load_config
    from dlcli.config.schema import DIAGNOSTIC_NAMES
    from dlcli.errors import ConfigError

    with pytest.raises(ConfigError, match="did you mean 'gradient_norms'"):
        load_config(tiny_config(tmp_path), ["train.diagnostics=[gradient_norm]"])
    from dlcli.training.diagnostics import DIAGNOSTICS

    assert tuple(DIAGNOSTICS) == DIAGNOSTIC_NAMES


def test_member_names_are_plain_directory_names():
    import re

    from dlcli.compare.members import plan_members

    axes = [vary_axis("model.activation=sigmoid,relu"), vary_axis("train.batch_size=8,16")]
    groups, members = plan_members(axes, [1, 2])
    assert list(groups)[0] == "activation=sigmoid,batch_size=8"  # labels stay readable
    assert members[0].name == "activation_sigmoid_batch_size_8-seed1"
    assert len({m.name for m in members}) == 8
    long = vary_axis("model.layers=[{Dense: {units: 1, activation: sigmoid}}],[{Flatten: {}}]")
    _, stacks = plan_members([long], [3])
    assert [m.name for m in stacks] == ["layers_1-seed3", "layers_2-seed3"]
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", m.name) for m in members + stacks)


def test_lower_is_better_metrics_rank_ascending_and_overlap_is_checked_with_every_group():
    groups = {
        "a": {"final": {"val_loss": mean_std([1.0, 1.0])}},
        "b": {"final": {"val_loss": mean_std([1.5, 1.5])}},
        "c": {"final": {"val_loss": mean_std([1.0, 3.0])}},  # 2.0 ± 1.41: reaches a and b
    }
    ranking = _ranking(groups, "val_loss")
    assert [row["group"] for row in ranking] == ["a", "b", "c"]
    assert ranking[0]["within_spread_of"] == ["c"]  # not a neighbour, still within spread
    assert sorted(ranking[2]["within_spread_of"]) == ["a", "b"]


def test_epochs_to_target_and_best_follow_the_metric_direction():
    from dlcli.compare.stats import _best, _epochs_to_target

    histories = [{"val_loss": [0.9, 0.5, 0.4]}, {"val_loss": [0.8, 0.7, 0.45]}]
    assert _epochs_to_target(("val_loss", 0.5), histories) == {"per_seed": [2, 3], "mean": 2.5}
    assert _best("val_loss", [0.9, 0.4, 0.6]) == 0.4
    assert _best("val_accuracy", [0.9, 0.95, 0.6]) == 0.95


def test_members_get_distinct_names_even_when_their_labels_collide():
    from dlcli.compare.members import Axis, plan_members

    long = "x" * 90
    axis = Axis("k", [(f"{long}1", "k=1"), (f"{long}2", "k=2"), ("a/b", "k=3"), ("a b", "k=4")])
    _, members = plan_members([axis], [1, 2])
    names = [member.name for member in members]
    assert len(set(names)) == len(names) == 8
    assert {m.overrides[0] for m in members if m.name.startswith("g1-")} == {"k=1"}


def test_target_needs_a_metric_name():
    with pytest.raises(UsageError, match="expected METRIC=NUMBER"):
        parse_target("=0.9")
