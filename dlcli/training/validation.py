"""`dlcli validate`'s checks beyond the schema: will the model fit in memory, and (with
`--data`) does it fit its data. Raises the errors `train` would; trains nothing."""

from __future__ import annotations

from dataclasses import dataclass

from dlcli.config.loader import LoadedConfig
from dlcli.models.capacity import check_capacity
from dlcli.training.runner import load_checked_data


@dataclass
class Validation:
    """What `dlcli validate` found: the config, its size, and the data it was checked on."""

    loaded: LoadedConfig
    params: int  # the model's parameter count (dlcli.models.capacity)
    memory_bytes: int  # the estimated training memory
    data: str | None = None  # with data=True: the training split's shape


def validate_loaded(loaded: LoadedConfig, data: bool = False) -> Validation:
    """The model's size against this machine's memory and, with `data`, the data against
    the model: everything `train` checks before it trains."""
    found = check_capacity(loaded)
    result = Validation(loaded, found.params, found.bytes)
    if data:
        dataset = load_checked_data(loaded)
        # train_samples: a streamed source (an image folder) holds one probe in x_train
        result.data = f"{dataset.train_samples} training samples of shape " + (
            f"{list(dataset.x_train.shape[1:])}"
        )
    return result
