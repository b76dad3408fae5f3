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

__all__ = ["text_in_one_piece"]


def text_in_one_piece(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each column of Arrow strings in several pieces made one piece (in
    place, and returned), the pieces' memory given back as each is joined."""
    give_back()  # what the reading freed, before the first joined column is allocated
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].array
        if not isinstance(values, pd.arrays.ArrowStringArray):
            continue
        pieces = values.__arrow_array__()
        if pieces.num_chunks <= 1:
            continue
        joined = pd.array(pieces.combine_chunks(), dtype=values.dtype)
        del pieces, values
        frame.isetitem(position, joined)
        give_back()  # the pieces: the next column's joined array takes their pages
    return frame
