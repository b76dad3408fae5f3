"""The scores of a table's parts put back in the table's row order (issue 40, item 3;
ADR 0125).

A part scores its own rows (``entrepot.fraud.score.partitions``: the table's positions
``part.rows[part.own]``, in the table's order), and its scores come back as a frame of
those rows. :class:`MergedScores` writes each part's columns to their rows' places as the
part comes back (``entrepot.pools.run_each``): a NumPy column to an array of the whole
table's rows, allocated when its first part comes, any other column (text, nullable,
object) kept as the part's piece and joined in the parts' order at the end, then put in
the table's order. A column whose parts do not share one NumPy dtype is joined too, as
``pandas.concat`` joins it: the pieces already written are read back from their places,
the same values. So the merged frame is the same whatever order the parts come back in,
and the same as a join of every part's scores sorted back by row.

What the merge holds is the table's scores and one part's, never every part's beside the
table's: a part's frame is let go once written, and the table's arrays, allocated once,
early, are not allocated anew after the parts' scores (which left a command's kept heap
too fragmented for them: 1,400 or 1,490 MiB from run to run at 5M rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from entrepot.fraud.score.partitions import Part

__all__ = ["MergedScores"]


class MergedScores:
    """The table's scores, filled part by part (:meth:`put`), read once all are in
    (:meth:`merged`)."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self._where = [part.rows[part.own] for part in parts]
        self._total = sum(len(rows) for rows in self._where)
        self._names: pd.Index | None = None
        self._arrays: dict[int, np.ndarray] = {}  # a column's place -> the table's values
        self._pieces: dict[int, dict[int, pd.Series]] = {}  # column -> part -> its piece
        self._filled: dict[int, list[int]] = {}  # column -> the parts written to its array
        self._put: set[int] = set()

    def put(self, number: int, scores: pd.DataFrame) -> None:
        """Part ``number``'s scores (its own rows', in its order), written to their places;
        ``scores`` can be let go after."""
        self._check(number, scores)
        for at in range(scores.shape[1]):
            self._put_column(number, at, scores.iloc[:, at])
        self._put.add(number)

    def _put_column(self, number: int, at: int, piece: pd.Series) -> None:
        dtype = piece.dtype
        numpy = isinstance(dtype, np.dtype) and dtype != np.dtype(object)
        array = self._arrays.get(at)
        if at not in self._pieces and array is None and numpy:
            array = self._arrays[at] = np.empty(self._total, dtype=dtype)
            self._filled[at] = []
        if array is not None and numpy and dtype == array.dtype:
            array[self._where[number]] = piece.to_numpy()
            self._filled[at].append(number)
            return
        if array is not None:  # parts of several dtypes: joined as ``concat`` joins them
            self._pieces[at] = {
                part: pd.Series(array[self._where[part]], copy=False)
                for part in self._filled.pop(at)
            }
            del self._arrays[at]
        self._pieces.setdefault(at, {})[number] = piece

    def merged(self) -> pd.DataFrame:
        """Every part's scores as the table's, in its row order, ``row`` numbered from 1;
        each part must have been put once. What the merge held is let go."""
        missing = set(range(len(self._where))) - self._put
        if self._names is None or missing:
            raise ValueError(f"the scores of parts {sorted(missing)} were never put")
        order: np.ndarray | None = None
        columns: dict[int, Any] = {}
        for at in range(len(self._names)):
            if at in self._arrays:
                columns[at] = self._arrays.pop(at)
                continue
            if order is None:
                order = np.empty(self._total, dtype=np.intp)
                order[np.concatenate(self._where)] = np.arange(self._total)
            pieces = self._pieces.pop(at)
            joined = pd.concat([pieces.pop(part) for part in sorted(pieces)], ignore_index=True)
            columns[at] = joined.take(order).reset_index(drop=True)
        merged = pd.DataFrame(columns, copy=False).set_axis(self._names, axis=1)
        merged["row"] = np.arange(1, self._total + 1)
        return merged

    def _check(self, number: int, scores: pd.DataFrame) -> None:
        if number in self._put:
            raise ValueError(f"the scores of part {number} were put twice")
        if len(scores) != len(self._where[number]):
            raise ValueError(
                f"part {number} scored {len(scores)} rows, not its {len(self._where[number])}"
            )
        if self._names is None:
            self._names = scores.columns
        elif not scores.columns.equals(self._names):
            raise ValueError(f"part {number} scored other columns than the first part")
