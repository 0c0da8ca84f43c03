"""A comparison's plan: the axes from the command line, the members, and the manifest.

`--vary KEY=V1,V2`, `--optimizers`, `--lr` and `--target` become axes; the cartesian
product of the axes' values, each with every seed, becomes the members; the plan is kept
in `compare.json` (the manifest) so `--resume` knows what is left. No TensorFlow here:
every mistake is reported before anything is trained.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from dlcli.config import names
from dlcli.errors import RunDirError, UsageError
from dlcli.runs import rundir as files
from dlcli.runs.rundir import RunDir

DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
LONG_VALUE = 24  # if a value is longer, the axis's values are labelled `key#1`, `key#2`, ...


@dataclass
class Axis:
    """One varied key: a label and an override per value."""

    key: str
    values: list[tuple[str, str]]  # (label, override "KEY=VALUE")


# --- command-line values -------------------------------------------------------


def split_values(text: str) -> list[str]:
    """`a,b` -> [a, b], but commas inside [...] {...} or quotes do not split."""
    values, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append(current.strip())
            current = ""
            continue
        current += char
    values.append(current.strip())
    if quote or depth != 0 or any(not v for v in values):
        raise UsageError(
            f"cannot split {text!r} into values: check brackets and quotes, and that no "
            "value is empty (values are separated by commas outside brackets)"
        )
    return values


def vary_axis(text: str) -> Axis:
    """`--vary model.activation=sigmoid,relu` -> an axis of two values."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key or not rest.strip():
        raise UsageError(
            f"--vary {text!r}: expected KEY=V1,V2,..., e.g. model.activation=relu,tanh"
        )
    if key == "seed":
        raise UsageError("--vary seed: use --seeds N, which repeats every setting with N seeds")
    short = key.split(".")[-1]
    texts = split_values(rest)
    numbered = any(len(value) > LONG_VALUE for value in texts)  # e.g. whole layer stacks
    labels = [f"{short}#{n}" if numbered else f"{short}={v}" for n, v in enumerate(texts, 1)]
    return Axis(key, [(label, f"{key}={v}") for label, v in zip(labels, texts, strict=True)])


def vary_axes(texts: list[str]) -> list[Axis]:
    if not texts:
        raise UsageError(
            "compare needs at least one --vary KEY=V1,V2 (e.g. model.activation=relu,tanh)"
        )
    axes = [vary_axis(text) for text in texts]
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        raise UsageError(f"--vary names a key twice: {', '.join(keys)}; list all its values once")
    return axes


def optimizer_axis(optimizers: list[str], learning_rates: list[str]) -> Axis:
    """compare-optimizers: each preset (dlcli.config.names.OPTIMIZERS), with any --lr NAME=VALUE."""
    chosen = [n.strip() for text in optimizers for n in split_values(text)] or list(
        DEFAULT_OPTIMIZERS
    )
    for name in chosen:
        if name not in names.OPTIMIZERS:
            raise UsageError(
                "--optimizers: " + names.unknown_name_message("optimizer", name, names.OPTIMIZERS)
            )
    rates = dict(_name_value("--lr", text, chosen) for text in learning_rates)
    values = []
    for name in dict.fromkeys(chosen):
        value = f"{{name: {name}, learning_rate: {rates[name]}}}" if name in rates else name
        values.append((name, f"compile.optimizer={value}"))
    return Axis("compile.optimizer", values)


def parse_target(text: str | None) -> tuple[str, float] | None:
    """`--target val_accuracy=0.97` -> ("val_accuracy", 0.97)."""
    if text is None:
        return None
    metric, _, value = text.partition("=")
    try:
        if not metric.strip():
            raise ValueError("no metric name")
        return metric.strip(), float(value)
    except ValueError:
        raise UsageError(
            f"--target {text!r}: expected METRIC=NUMBER, e.g. val_accuracy=0.97"
        ) from None


def _name_value(option: str, text: str, allowed: list[str]) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or name.strip() not in allowed:
        raise UsageError(
            f"{option} {text!r}: expected NAME=VALUE with NAME one of {', '.join(allowed)}"
        )
    try:
        return name.strip(), repr(float(value))
    except ValueError:
        raise UsageError(f"{option} {text!r}: {value!r} is not a number") from None


# --- members and the manifest -------------------------------------------------


PENDING = "pending"


@dataclass
class Member:
    name: str  # run-directory prefix, unique and filesystem-safe: "adam-seed1"
    group: str  # shared by all seeds of one setting: "adam", "activation=sigmoid"
    seed: int
    overrides: list[str]  # applied to the comparison's base config
    state: str = PENDING  # pending | running | completed | failed | interrupted
    run_dir: str | None = None  # inside the comparison directory
    stale_run_dirs: list[str] = field(default_factory=list)  # earlier, unfinished attempts
    seconds: float | None = None  # training time, set when completed
    epochs: int | None = None
    reason: str | None = None  # why it failed


@dataclass
class Plan:
    config: str  # the config file as the user named it
    overrides: list[str]  # --set, baked into the comparison's config.yaml
    varied: list[str]
    groups: dict[str, list[str]]  # group label -> its overrides
    seeds: list[int]
    target: tuple[str, float] | None
    command: str
    members: list[Member]


@dataclass
class Comparison:
    path: Path
    plan: Plan
    summary: dict[str, Any]  # comparison.json's content

    @property
    def failed(self) -> list[Member]:
        return [m for m in self.plan.members if m.state != files.COMPLETED]


def plan_members(axes: list[Axis], seeds: list[int]) -> tuple[dict[str, list[str]], list[Member]]:
    """Every combination of the axes' values (the groups), each with every seed."""
    groups: dict[str, list[str]] = {}
    for combination in itertools.product(*(axis.values for axis in axes)):
        label = ",".join(label for label, _ in combination)
        groups[label] = [override for _, override in combination]
    names = _unique_names(list(groups))
    members = [
        Member(f"{names[label]}-seed{seed}", label, seed, [*overrides, f"seed={seed}"])
        for label, overrides in groups.items()
        for seed in seeds
    ]
    return groups, members


def _unique_names(labels: list[str]) -> dict[str, str]:
    """safe_name per label; where two collide (cut at 80 characters, or differing only
    in characters it drops) each gets its position, so no two groups share a member."""
    names = {label: safe_name(label) for label in labels}
    taken = list(names.values())
    return {
        label: name if taken.count(name) == 1 else f"g{index + 1}-{name}"
        for index, (label, name) in enumerate(names.items())
    }


def safe_name(label: str) -> str:
    """A run-directory name for a label: letters, digits, `_ . -` only (what RunDir accepts
    everywhere): `activation=sigmoid` -> `activation_sigmoid`, `layers#2` -> `layers_2`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_.-")[:80] or "member"


def comparison_lock(compare: RunDir) -> FileLock:
    """The lock every writer of compare.json and comparison.* holds (a `compare.lock` file
    in the comparison directory): two processes working on one comparison (two `--resume`
    runs, or a script beside the CLI) take turns instead of losing each other's updates."""
    return FileLock(str(compare.file(files.COMPARE_LOCK_FILE)))


def save_plan(compare: RunDir, plan: Plan, member: Member | None = None) -> None:
    """Write the manifest. With `member`, only that member's record changes: the manifest
    is re-read under the lock, so what other processes recorded meanwhile is kept."""
    with comparison_lock(compare):
        data = _plan_record(plan)
        if member is not None and compare.file(files.COMPARE_MANIFEST_FILE).is_file():
            data["members"] = compare.read_json(files.COMPARE_MANIFEST_FILE)["members"]
            record = asdict(member)
            data["members"] = [record if m["name"] == member.name else m for m in data["members"]]
        compare.write_json(files.COMPARE_MANIFEST_FILE, data)


def _plan_record(plan: Plan) -> dict[str, Any]:
    data = asdict(plan)
    data["target"] = (
        None if plan.target is None else {"metric": plan.target[0], "value": plan.target[1]}
    )
    data["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return data


def load_plan(compare: RunDir) -> Plan:
    data = compare.read_json(files.COMPARE_MANIFEST_FILE)
    try:
        target = data["target"] and (data["target"]["metric"], float(data["target"]["value"]))
        members = [Member(**m) for m in data["members"]]
        return Plan(
            data["config"],
            data["overrides"],
            data["varied"],
            data["groups"],
            data["seeds"],
            target or None,
            data["command"],
            members,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RunDirError(
            f"{compare.file(files.COMPARE_MANIFEST_FILE)}: unreadable ({error!r})"
        ) from None
