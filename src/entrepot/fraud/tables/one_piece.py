"""A table's text columns each made one contiguous Arrow array (ADR 0126).

pandas reads a CSV's text columns as Arrow strings in as many pieces as it parsed the
file in (a Parquet file's, one a row group): 50 pieces at 5M rows. Taking rows of a column
in pieces (a part's rows, a sample's, the explained rows') makes Arrow join the pieces
first, a copy of the whole column for every take: cutting 5M rows in ten parts joined the
time column ten times (0.15 CPU-s and 150 MiB of fresh memory each time, where a take from
one piece costs 0.02 s and the rows it takes). Joined once, as the table is read, each
take reads the rows it takes: the same values and dtype."""

from __future__ import annotations

import pandas as pd

from entrepot.freed_memory import give_back

__all__ = ["one_piece", "text_in_one_piece"]


def text_in_one_piece(frame: pd.DataFrame, *, give: bool = True) -> pd.DataFrame:
    """``frame`` with each column of Arrow strings in several pieces made one piece (in
    place, and returned); with ``give``, the pieces' memory given back as each is joined
    (a whole table's; a part's pieces are small enough to leave to the allocator)."""
    if give:
        give_back()  # what the reading freed, before the first joined column is allocated
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].array
        joined = one_piece(values)
        if joined is values:
            continue
        del values
        frame.isetitem(position, joined)
        if give:
            give_back()  # the pieces: the next column's joined array takes their pages
    return frame


def one_piece(values: object) -> object:
    """An Arrow text array in several pieces as one piece; any other array as it is."""
    if isinstance(values, pd.arrays.ArrowStringArray):
        pieces = values.__arrow_array__()
        if pieces.num_chunks > 1:
            return pd.array(pieces.combine_chunks(), dtype=values.dtype)
    return values
