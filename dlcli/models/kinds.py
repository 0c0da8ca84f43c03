"""MODEL_KINDS: model.kind -> the ModelKind object that owns the kind's behaviour.

The one place a kind's name is resolved (the Keras way: one dict, one object per name).
The built-in kinds are registered here, each from its own module; another (a plugin's,
a test's) with `register_model_kind`, which also tells the config stage to accept its
name (dlcli.config.registries.MODEL_KIND_SCHEMAS). See dlcli.models.kind for the
interface and how to add a kind.
"""

from __future__ import annotations

from dlcli.config.model_schema import BUILT_IN_KINDS, ModelConfig
from dlcli.config.registries import register_kind_schema, unregister_kind_schema
from dlcli.errors import ModelError
from dlcli.models.gan.kind import GanKind
from dlcli.models.graph import GraphKind
from dlcli.models.kind import ModelKind
from dlcli.models.sequential import SequentialKind

MODEL_KINDS: dict[str, ModelKind] = {}


def register_model_kind(kind: ModelKind) -> ModelKind:
    """Add `kind` under its schema's name; configs may name it from now on."""
    if kind.name in MODEL_KINDS:
        raise ValueError(f"model kind {kind.name!r} is registered already")
    unknown = [key for key in kind.schema.keys if key not in ModelConfig.model_fields]
    if unknown:
        raise ValueError(f"model kind {kind.name!r}: {unknown} are not model.* keys")
    register_kind_schema(kind.schema)
    MODEL_KINDS[kind.name] = kind
    return kind


def unregister_model_kind(name: str) -> None:
    """Forget a registered kind (a test's, or a plugin's to be replaced), not a built-in."""
    if name in BUILT_IN_KINDS:
        raise ValueError(f"{name!r} is a built-in model kind")
    MODEL_KINDS.pop(name, None)
    unregister_kind_schema(name)


def model_kind(name: str) -> ModelKind:
    """The kind registered as `name` (a validated config's model.kind always is)."""
    try:
        return MODEL_KINDS[name]
    except KeyError:
        raise ModelError(
            f"model.kind {name!r} is not a registered model kind "
            f"(registered: {', '.join(MODEL_KINDS)})",
            key=("model", "kind"),
        ) from None


for _kind in (SequentialKind(), GraphKind(), GanKind()):
    register_model_kind(_kind)
