"""A CSV's rows parsed by pandas a slice of rows at a time, each column then joined on its
own (ADR 0126): the frame ``pandas.read_csv`` gives, without its peak.

Read whole, pandas parses the rows in slices too, then joins each column's slices and
builds a frame whose columns of one dtype are copied into one block: a second copy of the
numbers while the first is held. Here the slices' columns are joined one column at a
time, each column's slices let go and their pages given back once it is joined (the
allocator keeps freed slices as holes too small for the next joined column:
``entrepot.freed_memory``), and the frame is made of the joined columns as they are, one
block each (``copy=False``): the same values, dtypes and index.

A column read as different dtypes in different slices (text in one, numbers in another:
which values are text then depends on where the slices end, as it does inside pandas) is
not joined here: the caller reads the file whole, as before. Integers in one slice and
floats in another (a column with an empty cell in some slices) are joined as floats, as
pandas joins them."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from collections.abc import Set as AbstractSet
from typing import BinaryIO

import numpy as np
import pandas as pd

from entrepot.freed_memory import give_back

__all__ = ["ROWS", "joinable", "parse_by_columns"]

#: Rows parsed at a time: a slice's copy of its columns is what the read holds beyond the
#: table (a quarter of a million rows of a dozen columns: about 25 MB).
ROWS = 1 << 18
#: Dtypes whose slices join as ``pandas.read_csv`` joins them, whatever the slices' ends.
_NUMBERS = frozenset({np.dtype("int64"), np.dtype("float64")})


def parse_by_columns(
    source: Callable[[], BinaryIO], options: dict[str, object], *, rows: int = ROWS
) -> pd.DataFrame | None:
    """The rows of the CSV ``source()`` opens, parsed by ``pandas.read_csv(**options)``
    ``rows`` at a time and joined column by column; ``None`` where a column's slices were
    read as dtypes that do not join as the whole read would (the caller reads it whole)."""
    pieces: dict[Hashable, list[pd.Series]] = {}
    first: pd.DataFrame | None = None
    count = 0
    with source() as stream, pd.read_csv(stream, chunksize=rows, **options) as reader:
        for chunk in reader:
            count += 1
            if count == 1:
                first = chunk
                continue
            if count == 2 and first is not None:
                _keep(pieces, first)
                first = None
            _keep(pieces, chunk)
            del chunk
    if count <= 1:
        return first  # one slice is the whole read; none: the caller says why
    if not all(joinable({column.dtype for column in slices}) for slices in pieces.values()):
        return None
    joined = {}
    for name in list(pieces):
        slices = pieces.pop(name)
        joined[name] = pd.concat(slices, ignore_index=True).array
        del slices
        give_back()  # the column's slices: the next column's joined array reuses no hole
    return pd.DataFrame(joined, copy=False)


def _keep(pieces: dict[Hashable, list[pd.Series]], chunk: pd.DataFrame) -> None:
    """Each column of ``chunk`` added to its slices."""
    for name in chunk.columns:
        pieces.setdefault(name, []).append(chunk[name])


def joinable(dtypes: AbstractSet[object]) -> bool:
    """Whether slices of a column read as these ``dtypes`` join as the whole read joins
    them."""
    return len(dtypes) == 1 or dtypes <= _NUMBERS
