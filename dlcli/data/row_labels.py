"""The label of every input row of `dlcli predict`, made only when asked for.

A 3-million-row .npy file would otherwise carry a list of 3 million strings ("x.npy[0]",
"x.npy[1]", ...) through prediction: hundreds of MB more than its predictions need.
`RowLabels` stores one entry per file (or a file's own short list) and builds a label
when it is read, so memory stays with the arrays and the chunk being predicted.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


class Indexed(Sequence[str]):
    """`name[0]`, `name[1]`, ... for the `count` rows of one array file (or, with
    `form="{name}:row {n}"`, `name:row 1`, ... counted from 1, for a CSV's rows)."""

    def __init__(self, name: str, count: int, form: str = "{name}[{i}]"):
        self.name, self.count, self.form = name, count, form

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if not -self.count <= index < self.count:
            raise IndexError(index)
        i = index % self.count
        return self.form.format(name=self.name, i=i, n=i + 1)


class RowLabels(Sequence[str]):
    """Row labels of several files, one after the other, as one sequence."""

    def __init__(self) -> None:
        self._parts: list[Sequence[str]] = []
        self._starts: list[int] = []
        self._length = 0

    def extend(self, labels: Sequence[str]) -> None:
        self._parts.append(labels)
        self._starts.append(self._length)
        self._length += len(labels)

    def __len__(self) -> int:
        return self._length

    def __eq__(self, other: object) -> bool:  # equal to a list of the same labels
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  (mutable, like a list)

    def __repr__(self) -> str:
        return f"RowLabels({list(self[:3])}{' ...' if len(self) > 3 else ''}, {len(self)} rows)"

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        part = bisect.bisect_right(self._starts, index) - 1
        return self._parts[part][index - self._starts[part]]
