"""A column's values as integer codes, read a piece at a time (issue 40 item 3).

Cutting a table by entity compares its entity columns' values and nothing else: equal
values, equal codes. :func:`piece_codes` gives the codes ``pandas.factorize`` gives the
whole column (``use_na_sentinel=False``: a missing value is a value too, numbered where
it first shows), in the narrowest integer type that holds them, while holding one piece
of the column and its distinct values, never the whole column: at 20M rows an entity
column of numbers is 160 MB, of text several times that, its codes 80 MB.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["RunningCodes", "code_dtype", "piece_codes"]


def code_dtype(count: int) -> type[np.signedinteger]:
    """The narrowest of ``int32`` and ``int64`` that numbers ``count`` distinct values (or
    positions in a table of ``count`` rows)."""
    return np.int32 if count < 2**31 else np.int64


def piece_codes(pieces: Iterable[pd.Series], rows: int) -> np.ndarray:
    """The codes of the column whose ``rows`` values come as ``pieces`` in order: the
    codes ``pandas.factorize(whole, use_na_sentinel=False)`` gives, each piece's distinct
    values found among those of the pieces before it, new ones numbered after them in the
    order they first show (:class:`RunningCodes`)."""
    codes = np.empty(rows, dtype=code_dtype(rows))
    running = RunningCodes()
    at = 0
    for piece in pieces:
        if at + len(piece) > rows:
            raise ValueError(f"the pieces hold more than the {rows} rows announced")
        codes[at : at + len(piece)] = running.of(piece)
        at += len(piece)
    if at != rows:
        raise ValueError(f"the pieces hold {at} rows, not the {rows} announced")
    return codes


class RunningCodes:
    """A column's codes a piece at a time, as :func:`piece_codes` numbers them: what a
    cut made a slice at a time reads (``fraud.score.sliced_cut``), holding one piece's
    codes and the distinct values seen, never a code a row of the whole column."""

    def __init__(self) -> None:
        self._known: pd.Index | None = None

    @property
    def count(self) -> int:
        """How many distinct values the pieces so far held (their codes: 0 to count - 1)."""
        return 0 if self._known is None else len(self._known)

    def of(self, piece: pd.Series) -> np.ndarray:
        """The codes of ``piece``, the next piece of the column (``int64``): a value seen in
        an earlier piece keeps its code, a new one is numbered after every code before."""
        local, uniques = pd.factorize(piece, use_na_sentinel=False)
        if self._known is None:
            self._known = pd.Index(uniques, tupleize_cols=False)
            found = np.arange(len(uniques), dtype=np.int64)
        else:
            found = np.asarray(self._known.get_indexer(uniques), dtype=np.int64)
            new = found < 0
            if new.any():
                found[new] = len(self._known) + np.arange(int(new.sum()))
                self._known = self._known.append(pd.Index(uniques[new], tupleize_cols=False))
        codes: np.ndarray = found[local]
        return codes
