"""dlcli.comparison.plan: compare's command-line values, the members and the manifest."""

from __future__ import annotations

import pytest

from dlcli.comparison.plan import optimizer_axis, parse_target, split_values, vary_axes, vary_axis
from dlcli.errors import UsageError


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


def test_member_names_are_plain_directory_names():
    import re

    from dlcli.comparison.members import plan_members

    axes = [vary_axis("model.activation=sigmoid,relu"), vary_axis("train.batch_size=8,16")]
    groups, members = plan_members(axes, [1, 2])
    assert list(groups)[0] == "activation=sigmoid,batch_size=8"  # labels stay readable
    assert members[0].name == "activation_sigmoid_batch_size_8-seed1"
    assert len({m.name for m in members}) == 8
    long = vary_axis("model.layers=[{Dense: {units: 1, activation: sigmoid}}],[{Flatten: {}}]")
    _, stacks = plan_members([long], [3])
    assert [m.name for m in stacks] == ["layers_1-seed3", "layers_2-seed3"]
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", m.name) for m in members + stacks)


def test_members_get_distinct_names_even_when_their_labels_collide():
    from dlcli.comparison.members import Axis, plan_members

    long = "x" * 90
    axis = Axis("k", [(f"{long}1", "k=1"), (f"{long}2", "k=2"), ("a/b", "k=3"), ("a b", "k=4")])
    _, members = plan_members([axis], [1, 2])
    names = [member.name for member in members]
    assert len(set(names)) == len(names) == 8
    assert {m.overrides[0] for m in members if m.name.startswith("g1-")} == {"k=1"}


def test_target_needs_a_metric_name():
    with pytest.raises(UsageError, match="expected METRIC=NUMBER"):
        parse_target("=0.9")


# --- the manifest under concurrent writers --------------------------------------------

WRITER = """
import sys
from dlcli.comparison.plan import load_plan, save_plan
from pathlib import Path
from dlcli.runs.rundir import RunDir

compare, name, rounds = RunDir(Path(sys.argv[1])), sys.argv[2], int(sys.argv[3])
plan = load_plan(compare)  # read once: every later save starts from this stale view
member = next(m for m in plan.members if m.name == name)
for attempt in range(1, rounds + 1):
    member.state, member.epochs = ("completed" if attempt == rounds else "running"), attempt
    save_plan(compare, plan, member)
"""


def test_concurrent_processes_updating_members_lose_no_update(tmp_path):
    """Four processes, each saving its own member 30 times from a stale copy of the plan:
    the manifest ends with every member's last update and is valid JSON at every read."""
    import json
    import subprocess
    import sys

    from dlcli.comparison.plan import Plan, plan_members, save_plan
    from dlcli.runs.rundir import RunDir

    axis = vary_axis("model.activation=relu,tanh,sigmoid,elu")
    groups, members = plan_members([axis], [1])
    compare = RunDir.create(tmp_path, "tiny-compare")
    save_plan(compare, Plan("c.yaml", [], [axis.key], groups, [1], None, "dlcli", members))
    rounds = 30
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(compare.path), m.name, str(rounds)])
        for m in members
    ]
    reads = 0
    while any(w.poll() is None for w in writers):
        json.loads((compare.path / "compare.json").read_text())  # never half-written
        reads += 1
    assert [w.returncode for w in writers] == [0] * 4
    final = json.loads((compare.path / "compare.json").read_text())["members"]
    assert [(m["state"], m["epochs"]) for m in final] == [("completed", rounds)] * 4, final
    assert reads > 0 and (compare.path / "compare.lock").exists()
