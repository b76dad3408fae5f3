"""The candidates a table's parts offer for its explanations, kept to the table's limit as
each part comes back (issue 40 item 3).

A part cannot know which of its rows the table will explain: it offers its own most
probable rows at or above half the threshold, up to the table's limit, with their feature
rows and their columns (:class:`~entrepot.fraud.score.scoring.Candidates`). Held as every
part offered them, they grew with the file: a few thousand rows a part of 500,000, about
450 bytes each, 40 parts at 20M rows. :class:`KeptCandidates` keeps, as each part's
arrive, the ``limit`` most probable of all offered so far (ties in the table's row order,
as :func:`~entrepot.fraud.score.scoring.explained_rows` orders them): every row the table
will explain is among them, whatever order the parts come back in, since a row among the
``limit`` first of the whole table is among the ``limit`` first of any rows holding it. What
is held is then the limit's rows and one part's, not every part's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from entrepot.fraud.score.partitions import Part
    from entrepot.fraud.score.scoring import Candidates

__all__ = ["KeptCandidates"]


class KeptCandidates:
    """The candidates of a table cut in ``parts``, the ``limit`` most probable kept."""

    def __init__(self, parts: Sequence[Part], limit: int) -> None:
        self._parts = parts
        self._limit = limit
        #: Each part's candidates, as kept (``None``: none offered, or none kept).
        self.offered: list[Candidates | None] = [None] * len(parts)
        # every kept candidate, the parts' in the order they were put, each part's in the
        # order of its candidates' rows: its table position, probability and part
        self._positions = np.zeros(0, dtype=np.int64)
        self._proba = np.zeros(0, dtype=np.float64)
        self._owner = np.zeros(0, dtype=np.intp)

    def __len__(self) -> int:
        """The candidate rows kept."""
        return len(self._positions)

    def put(self, number: int, offered: Candidates | None, proba: np.ndarray) -> None:
        """Part ``number``'s candidates (``None``: it offered none) and its own rows'
        probabilities (``offered.rows`` index them); past the limit, the least probable
        candidates of every part put so far are let go."""
        if offered is None or not len(offered.rows):
            return
        if self.offered[number] is not None:
            raise ValueError(f"the candidates of part {number} were put twice")
        part = self._parts[number]
        local = np.asarray(offered.rows, dtype=np.intp)
        self.offered[number] = offered
        self._positions = np.concatenate([self._positions, part.own_rows()[local]])
        self._proba = np.concatenate([self._proba, np.asarray(proba, dtype=np.float64)[local]])
        self._owner = np.concatenate([self._owner, np.full(len(local), number, dtype=np.intp)])
        if len(self._positions) > self._limit:
            self._prune()

    def _prune(self) -> None:
        """Keep the ``limit`` most probable candidates (ties in row order)."""
        first = np.lexsort((self._positions, -self._proba))[: self._limit]
        keep = np.zeros(len(self._positions), dtype=bool)
        keep[first] = True
        for number in np.unique(self._owner[~keep]).tolist():
            mine = keep[self._owner == number]  # this part's, in its candidates' order
            self.offered[number] = _subset(self.offered[number], mine)
        self._positions = self._positions[keep]
        self._proba = self._proba[keep]
        self._owner = self._owner[keep]


def _subset(offered: Candidates | None, keep: np.ndarray) -> Candidates | None:
    """``offered``'s candidates where ``keep``, in their order (``None`` if none is)."""
    from entrepot.fraud.score.scoring import Candidates

    if offered is None or not keep.any():
        return None
    return Candidates(
        offered.rows[keep],
        [matrix[keep] for matrix in offered.matrices],
        offered.table.take(np.flatnonzero(keep)).reset_index(drop=True),
    )
