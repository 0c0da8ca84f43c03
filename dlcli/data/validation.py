"""Inputs a model can predict on: real, finite numbers, checked before any prediction.

A NaN or an infinity in an input row makes every output of that row NaN, and Keras
says nothing; a complex number cast to float32 silently loses its imaginary part.
dlcli refuses both, naming the rows, so a prediction is never quietly meaningless.
(Refusing is the documented choice, docs/reliability-limits.md: a user with a few
bad rows drops or fixes them and sees exactly which.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dlcli.errors import DataError

SHOWN_ROWS = 5  # bad rows named in the message; the rest are counted


def complex_problem(dtype: np.dtype, name: str) -> str | None:
    """Why an array of `dtype` cannot be a model's input or target: complex numbers."""
    if not np.issubdtype(dtype, np.complexfloating):
        return None
    return (
        f"{name}: holds complex numbers ({dtype}); a model takes real numbers, and "
        "dropping the imaginary part would change the input: pass the real part, the "
        "magnitude, or both as separate features"
    )


def refuse_non_real(arr: np.ndarray, name: str) -> None:
    """Complex, object and text arrays are refused before any cast could lose data."""
    problem = complex_problem(arr.dtype, name)
    if problem:
        raise DataError(problem)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise DataError(f"{name}: holds {arr.dtype} values, not numbers")


def refuse_non_finite(x: np.ndarray, labels: Sequence[str], chunk: int = 65_536) -> None:
    """Refuse rows holding NaN or an infinity, naming the first few (chunked: no copy of x)."""
    bad: list[int] = []
    total = 0
    for start in range(0, len(x), chunk):
        part = x[start : start + chunk].reshape(min(chunk, len(x) - start), -1)
        rows = np.flatnonzero(~np.isfinite(part).all(axis=1)) + start
        total += len(rows)
        bad.extend(int(r) for r in rows[: SHOWN_ROWS - len(bad)])
    if not total:
        return
    named = ", ".join(labels[i] for i in bad)
    more = f" and {total - len(bad)} more" if total > len(bad) else ""
    raise DataError(
        f"{total} input row{'s' if total != 1 else ''} hold NaN or infinite values "
        f"({named}{more}); their predictions would be NaN: fix or drop those rows"
    )


def refuse_booleans(values: object, name: str) -> None:
    """JSON `true`/`false` among numbers is refused: numpy would read them as 1 and 0,
    and a pixel or a feature given as a flag is a mistake, not a value."""
    pending = [values]
    while pending:
        value = pending.pop()
        if isinstance(value, bool):
            raise DataError(f'"{name}" holds {str(value).lower()}, which is not a number')
        if isinstance(value, list):
            pending.extend(value)
