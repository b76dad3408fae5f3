"""A column's value counts as a label's are read, a slice of a table on disk at a time
(issue 40 item 3).

Finding a file's label counts the values of each column that may be one
(``fraud.schema.target.score_candidate``: exactly two values, which is the fraud value, at
what rate). Read whole, a label column of a 20M-row file is 160 MB, twice that while its
slices are joined: the peak of a large scoring before its parts were cut. :func:`two_counts`
adds each slice's counts instead, holding a slice and at most three values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Protocol

import pandas as pd

__all__ = ["CountedColumns", "sliced_counter", "two_counts"]


class CountedColumns(Protocol):
    """A table read a slice at a time (``fraud.tables.sliced.SlicedTable``)."""

    def pieces(self, names: Sequence[Hashable]) -> Iterator[pd.DataFrame]: ...

    def columns_of(self, names: Sequence[Hashable]) -> pd.DataFrame: ...


def two_counts(table: CountedColumns, name: Hashable) -> pd.Series:
    """The counts of column ``name``'s values as ``column.value_counts(dropna=True)``
    gives them where it holds two values counted differently (the more frequent first);
    some three of its values where it holds more (never a label), as many as it holds
    under two. Two values counted as often each are read whole: which comes first is
    then pandas' order, which the fraud value of a tie rests on."""
    counted: pd.Series | None = None
    for piece in table.pieces([name]):
        found = piece[name].value_counts(dropna=True, sort=False)
        counted = found if counted is None else counted.add(found, fill_value=0)
        if len(counted) > 2:
            return counted.iloc[:3]  # three values: no label, whatever follows
    if counted is None:
        return pd.Series(dtype="int64")
    counted = counted.astype("int64")
    if len(counted) == 2 and counted.iloc[0] == counted.iloc[1]:
        return table.columns_of([name])[name].value_counts(dropna=True)
    return counted.sort_values(ascending=False)


def sliced_counter(table: CountedColumns) -> Callable[[Hashable], pd.Series]:
    """:func:`two_counts` of ``table``'s columns, by name."""
    return lambda name: two_counts(table, name)
