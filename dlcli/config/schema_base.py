"""Building blocks shared by the config schema modules: strict models and name checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from dlcli.config import names
from dlcli.config.field_docs import describe


class Strict(BaseModel):
    """Every config section: unknown keys are errors, never silently dropped."""

    # json_schema_extra: `dlcli schema` describes each field by the comment beside it.
    model_config = ConfigDict(
        extra="forbid", validate_default=True, json_schema_extra=lambda s, m: describe(s, m)
    )


def name_in(kind: str, choices: Iterable[str]) -> AfterValidator:
    """A validator that accepts one of `choices` and suggests the closest otherwise."""
    valid = tuple(choices)

    def check(value: str) -> str:
        if value not in valid:
            raise PydanticCustomError(
                "unknown_name", names.unknown_name_message(kind, value, valid)
            )
        return value

    return AfterValidator(check)


def mapping_from_name(value: Any) -> Any:
    """Let `optimizer: adam` stand for `optimizer: {name: adam}` (likewise initializers)."""
    return {"name": value} if isinstance(value, str) else value


Activation = Annotated[str, name_in("activation", names.ACTIVATIONS)]
PositiveInt = Annotated[int, Field(gt=0)]
Fraction = Annotated[float, Field(ge=0.0, lt=1.0)]


class InitializerConfig(Strict):
    """`kernel_initializer: random_uniform` or `{name: random_uniform, minval: -0.5, ...}`."""

    name: Annotated[str, name_in("initializer", names.INITIALIZERS)]
    minval: float | None = None  # random_uniform
    maxval: float | None = None  # random_uniform
    mean: float | None = None  # random_normal, truncated_normal
    stddev: float | None = None  # random_normal, truncated_normal
    value: float | None = None  # constant
    gain: float | None = None  # orthogonal, identity
    scale: float | None = None  # variance_scaling
    mode: str | None = None  # variance_scaling: fan_in | fan_out | fan_avg
    distribution: str | None = None  # variance_scaling
    seed: int | None = None  # unset: drawn from the run's seed (keras global seed)


Initializer = Annotated[
    InitializerConfig,
    BeforeValidator(mapping_from_name, json_schema_input_type=str | InitializerConfig),
]


class RegularizerConfig(Strict):
    """Weight decay: `{l2: 0.0005}`, `{l1: 0.001}` or both (an L1L2 penalty)."""

    l1: Annotated[float, Field(ge=0)] | None = None
    l2: Annotated[float, Field(ge=0)] | None = None
