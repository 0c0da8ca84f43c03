"""Building blocks shared by the config schema modules: strict models and name checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from dlcli.config import names
from dlcli.config.field_docs import describe
from dlcli.config.limits import MAX_SAMPLES


class Strict(BaseModel):
    """Every config section: unknown keys are errors, never silently dropped."""

    # json_schema_extra: `dlcli schema` describes each field by the comment beside it.
    model_config = ConfigDict(
        extra="forbid", validate_default=True, json_schema_extra=lambda s, m: describe(s, m)
    )


class ValueAtKey(ValueError):
    """A validator's error about one key inside the section it validates.

    Pydantic locates a model validator's error at the section (`model:`); the loader
    reads `key` (relative to that section) off this error and points the message at
    the key's own line instead, e.g. the graph node that closes a cycle.
    """

    def __init__(self, key: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.key = key


def name_in(kind: str, choices: Iterable[str]) -> AfterValidator:
    """A validator that accepts one of `choices` and suggests the closest otherwise.
    A dict (a registry of dlcli.config.registries) is read at each check, so a name
    registered after this schema was built is accepted too."""
    valid = choices if isinstance(choices, dict) else tuple(choices)

    def check(value: str) -> str:
        if value not in valid:
            raise PydanticCustomError(
                "unknown_name", names.unknown_name_message(kind, value, tuple(valid))
            )
        return value

    return AfterValidator(check)


def mapping_from_name(value: Any) -> Any:
    """Let `optimizer: adam` stand for `optimizer: {name: adam}` (likewise initializers)."""
    return {"name": value} if isinstance(value, str) else value


def _plain(kind: str):
    """Numbers are numbers: refuse `true` for an integer (pydantic would take it as 1) and
    text such as "32" or 1e12 (YAML reads an exponent without a dot as text)."""

    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError(
                f"{kind}_type", f"input should be a valid {kind}, not {str(value).lower()}"
            )
        if isinstance(value, str):
            hint = ""
            if _is_number_text(value):
                hint = " (YAML reads an exponent without a dot as text: write the digits)"
            raise PydanticCustomError(
                f"{kind}_type", f"input should be a valid {kind}, not the text {value!r}{hint}"
            )
        return value

    return BeforeValidator(check)


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


Integer = Annotated[int, _plain("integer")]  # refuses true/false and text
Number = Annotated[float, _plain("number")]  # likewise; an integer is a number


def count(maximum: int) -> Any:
    """A whole number from 1 to `maximum` (limits in dlcli.config.limits)."""
    return Annotated[Integer, Field(gt=0, le=maximum)]


Activation = Annotated[str, name_in("activation", names.ACTIVATIONS)]
PositiveInt = count(MAX_SAMPLES)  # counts with no tighter limit of their own
Fraction = Annotated[Number, Field(ge=0.0, lt=1.0)]
Flag = StrictBool  # true/false only: not 1, "yes" or "true" as text


class InitializerConfig(Strict):
    """`kernel_initializer: random_uniform` or `{name: random_uniform, minval: -0.5, ...}`."""

    name: Annotated[str, name_in("initializer", names.INITIALIZERS)]  # e.g. he_normal, zeros
    minval: Number | None = None  # random_uniform
    maxval: Number | None = None  # random_uniform
    mean: Number | None = None  # random_normal, truncated_normal
    stddev: Number | None = None  # random_normal, truncated_normal
    value: Number | None = None  # constant
    gain: Number | None = None  # orthogonal, identity
    scale: Number | None = None  # variance_scaling
    mode: str | None = None  # variance_scaling: fan_in | fan_out | fan_avg
    distribution: str | None = None  # variance_scaling
    seed: Annotated[Integer, Field(ge=0, lt=2**32)] | None = None  # unset: drawn from the
    # run's seed (keras global seed)


Initializer = Annotated[
    InitializerConfig,
    BeforeValidator(mapping_from_name, json_schema_input_type=str | InitializerConfig),
]


class RegularizerConfig(Strict):
    """Weight decay: `{l2: 0.0005}`, `{l1: 0.001}` or both (an L1L2 penalty)."""

    l1: Annotated[Number, Field(ge=0)] | None = None  # adds l1 * sum(|w|) to the loss; unset: 0
    l2: Annotated[Number, Field(ge=0)] | None = None  # adds l2 * sum(w²) to the loss; unset: 0
