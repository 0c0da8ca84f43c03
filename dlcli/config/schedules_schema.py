"""`compile.optimizer.schedule`: a learning rate that changes with the training step.

Named like Keras's `keras.optimizers.schedules` and resolved through Keras's own
deserialisation (one explicit dict below, no class paths in configs). The optimizer's
`learning_rate` is the schedule's starting value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from dlcli.config.limits import MAX_DIMENSION
from dlcli.config.schema_base import Flag, Number, Strict, count

# Config name -> Keras schedule class name, and the fields each one takes.
SCHEDULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "exponential": ("ExponentialDecay", ("decay_steps", "decay_rate", "staircase")),
    "cosine": ("CosineDecay", ("decay_steps", "alpha", "warmup_steps", "warmup_target")),
    "piecewise": ("PiecewiseConstantDecay", ("boundaries", "values")),
}


class ScheduleConfig(Strict):
    """exponential: lr * decay_rate ** (step / decay_steps). cosine: from lr down to
    lr * alpha over decay_steps, after an optional linear warm-up from lr to
    warmup_target over warmup_steps. piecewise: values[i] until step boundaries[i]."""

    name: Literal["exponential", "cosine", "piecewise"]  # the decay rule (formulas above)
    decay_steps: count(MAX_DIMENSION) | None = None  # exponential, cosine: steps (batches),
    # not epochs
    decay_rate: Annotated[Number, Field(gt=0, le=1)] | None = None  # exponential
    staircase: Flag | None = None  # exponential: decay in whole steps of decay_steps
    alpha: Annotated[Number, Field(ge=0, le=1)] | None = None  # cosine: final share of lr
    warmup_steps: Annotated[int, Field(ge=0)] | None = None  # cosine: warm-up length
    warmup_target: Annotated[Number, Field(gt=0)] | None = None  # cosine: lr after warm-up
    boundaries: list[count(MAX_DIMENSION)] | None = None  # piecewise: increasing step numbers
    values: list[Annotated[Number, Field(gt=0)]] | None = None  # piecewise: one more than
    # boundaries

    @model_validator(mode="after")
    def _fields_of_this_schedule(self) -> ScheduleConfig:
        _, takes = SCHEDULES[self.name]
        given = self.model_dump(exclude={"name"}, exclude_none=True)
        for key in given:
            if key not in takes:
                raise ValueError(
                    f"{key!r} is not an argument of schedule {self.name!r} "
                    f"(it takes: {', '.join(takes)})"
                )
        required = {"exponential": ("decay_steps", "decay_rate"), "cosine": ("decay_steps",),
                    "piecewise": ("boundaries", "values")}[self.name]  # fmt: skip
        for key in required:
            if key not in given:
                raise ValueError(f"schedule {self.name!r} needs `{key}:`")
        if self.name == "piecewise":
            assert self.boundaries is not None and self.values is not None
            if len(self.values) != len(self.boundaries) + 1:
                raise ValueError("piecewise: `values` needs one more entry than `boundaries`")
            if sorted(set(self.boundaries)) != self.boundaries:
                raise ValueError("piecewise: `boundaries` must increase")
        return self

    def keras_config(self, learning_rate: float) -> dict[str, Any]:
        """The schedule as Keras serialises it, starting from `learning_rate`."""
        class_name, _ = SCHEDULES[self.name]
        config = self.model_dump(exclude={"name"}, exclude_none=True)
        if self.name != "piecewise":
            config["initial_learning_rate"] = learning_rate
        return {"module": "keras.optimizers.schedules", "class_name": class_name,
                "config": config, "registered_name": None}  # fmt: skip
