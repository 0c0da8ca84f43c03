"""Command-line values of compare and compare-optimizers: --vary, --optimizers, --lr, --target.

No TensorFlow here: every mistake is reported before anything is trained.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlcli import names
from dlcli.errors import UsageError

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
    """compare-optimizers: each preset (dlcli.names.OPTIMIZERS), with any --lr NAME=VALUE."""
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
