"""The data sources: each `data.dataset` name resolves through `SOURCES` to one object
that owns what that data does, from loading for training to reading a served request.

The interface is `DataSource` (`base.py`, which lists every duty and its default). One
module per source: Keras's built-ins read from local copies (`keras_builtin`), `inline`,
`linear`, `npz`, `csv_table`, `idx`, `timeseries`, `text`, `image_folder`; the array
sources share one pipeline (`raw`, `arrays`). Callers ask `source_for(name)` (a finished
run: `TrainedRun.source`), never test the name.

Adding a source: a module with a `DataSource` subclass (an array source implements
`read`; one with its own splitting overrides `load`) and one entry in `_BUILT_IN` below;
its rules go into `dlcli.config.data_sources_schema.BUILTIN_DATASETS`, where `validate`
reads them without this stage. From outside the package (a plug-in, a test),
`register_source(source)` adds the source and its `rules` at run time.
"""

from __future__ import annotations

from dlcli.config import registries
from dlcli.data.sources.base import DataSource, FinishedRun
from dlcli.data.sources.csv_table import CsvSource
from dlcli.data.sources.idx import IdxSource
from dlcli.data.sources.image_folder import ImageFolderSource
from dlcli.data.sources.inline import InlineSource
from dlcli.data.sources.keras_builtin import KERAS_SOURCES
from dlcli.data.sources.linear import LinearSource
from dlcli.data.sources.npz import NpzSource
from dlcli.data.sources.raw import RawData
from dlcli.data.sources.text import TextSource
from dlcli.data.sources.timeseries import TimeseriesSource
from dlcli.errors import DataError

__all__ = ["SOURCES", "DataSource", "FinishedRun", "RawData", "register_source",
           "source_for", "unregister_source"]  # fmt: skip

_BUILT_IN: list[DataSource] = [
    *KERAS_SOURCES, InlineSource(), LinearSource(), NpzSource(), CsvSource(), IdxSource(),
    TimeseriesSource(), TextSource(), ImageFolderSource(),
]  # fmt: skip

SOURCES: dict[str, DataSource] = {source.name: source for source in _BUILT_IN}


def source_for(name: str) -> DataSource:
    """The source of `dataset: <name>`."""
    try:
        return SOURCES[name]
    except KeyError:  # the schema lets only registered names through
        raise DataError(f"unknown dataset {name!r}") from None


def register_source(source: DataSource) -> DataSource:
    """Make `dataset: <source.name>` a valid config that `source` loads and reads."""
    if not source.name or source.name in SOURCES:
        raise ValueError(f"a data source needs a name of its own, not {source.name!r}")
    registries.register_dataset(source.name, source.rules)
    SOURCES[source.name] = source
    return source


def unregister_source(name: str) -> None:
    """Forget a source added by `register_source` (built-in sources stay)."""
    registries.unregister_dataset(name)
    SOURCES.pop(name, None)
