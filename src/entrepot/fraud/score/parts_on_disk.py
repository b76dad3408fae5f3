"""A cut's parts held on disk, read back a part, or a part's rows in one slice of the table,
at a time (issue 40 item 3; ADR 0134).

A table on disk in slices (``entrepot.fraud.tables.sliced``) is cut by entity into parts
(``entrepot.fraud.score.partitions``): each part's rows (four bytes a row) and which of
them are its own (one more). Held in memory, the two cuts of a scoring were nine bytes a
row of the table through the counterparty features and every part's scoring: 180 MB at
20M rows, what the peak grew by with the file. :class:`PartsOnDisk` writes each part to
an unnamed temporary file once it is cut (``entrepot.spilled_parts``), its rows cut where
the table's slices begin, so that routing a slice reads that slice's rows of each part
alone (:meth:`PartsOnDisk.in_slice`), and a part is read back whole when its turn comes.
What is held in memory is a few numbers a part.

Nothing changes a value: a part read back is the part written. Where the temporary file
cannot be written (a full disk), the parts are kept in memory (``SpilledParts``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

import numpy as np

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.fraud.score.partitions import Part
from entrepot.pools import OnDemand
from entrepot.spilled_parts import SpilledParts

__all__ = ["PartRows", "PartsOnDisk"]


class PartsOnDisk(ClosedOnExit, OnDemand[Part]):
    """The ``parts`` of a table whose slices begin at ``starts`` (with the table's end
    last), held on disk, each read back when asked for (``parts[i]``). Use as a context
    manager, or let it go: the temporary file goes with it."""

    def __init__(self, parts: Iterable[Part], starts: Sequence[int]) -> None:
        self._begin()
        bounds = np.asarray(starts, dtype=np.int64)
        for part in parts:
            cut = np.searchsorted(part.rows, bounds)
            if cut[0] != 0 or cut[-1] != len(part.rows):
                raise ValueError("a part's rows lie outside the table's slices")
            pieces = [part.rows[cut[n] : cut[n + 1]] for n in range(len(bounds) - 1)]
            self._keep([self._held.put(piece) for piece in pieces], part.own)
        super().__init__(len(self._sizes), self._part)

    @classmethod
    def of_own_rows(cls, slices: Iterable[Sequence[np.ndarray]], count: int) -> PartsOnDisk:
        """The non-empty parts among ``count`` whose rows come a slice of the table at a
        time (``slices``: for each slice in order, each part's rows in it: table
        positions, increasing), every row its part's own: a cut made a slice at a time
        (``fraud.score.sliced_cut``) never holds a row of the whole table."""
        made = cls.__new__(cls)
        made._begin()
        pieces: list[list[int]] = [[] for _ in range(count)]
        sizes = [0] * count
        for rows in slices:
            if len(rows) != count:
                raise ValueError(f"a slice gave {len(rows)} parts' rows, not {count}")
            for number, found in enumerate(rows):
                pieces[number].append(made._held.put(found))
                sizes[number] += len(found)
        for number in range(count):
            if sizes[number]:
                made._keep(pieces[number], np.ones(sizes[number], dtype=np.bool_))
        OnDemand.__init__(made, len(made._sizes), made._part)
        return made

    def _begin(self) -> None:
        self._held: SpilledParts[np.ndarray] = SpilledParts()
        weakref.finalize(self, self._held.close)  # never left open, even unclosed
        self._slices: list[list[int]] = []  # each part's rows in each slice: the piece's number
        self._own: list[int] = []  # each part's own flags: the piece's number
        self._sizes: list[int] = []

    def _keep(self, pieces: list[int], own: np.ndarray) -> None:
        """A part: its rows' pieces (their numbers, one a slice) and its own flags."""
        self._slices.append(pieces)
        self._own.append(self._held.put(own))
        self._sizes.append(len(own))

    def close(self) -> None:
        """Forget every part (the temporary file closed, and so removed)."""
        self._held.close()

    def _part(self, number: int) -> Part:
        return Part(self.rows(number), self._take(self._own[number]))

    def rows(self, number: int) -> np.ndarray:
        """Part ``number``'s rows (table positions, increasing)."""
        pieces = [self._take(piece) for piece in self._slices[number]]
        return np.concatenate(pieces)

    def in_slice(self, number: int, slice_number: int) -> np.ndarray:
        """Part ``number``'s rows in the table's slice ``slice_number`` (table positions)."""
        return self._take(self._slices[number][slice_number])

    def size(self, number: int) -> int:
        """How many rows part ``number`` reads (its own and its counterparties')."""
        return self._sizes[number]

    def _take(self, piece: int) -> np.ndarray:
        if not len(self._held):  # closed: never an empty part
            raise OSError("a cut's parts read after their file was closed")
        found: np.ndarray = self._held.take(piece)
        return found

    def row_sets(self) -> PartRows:
        """The parts' rows alone, as a table's routing reads them (``SlicedTable.route``)."""
        return PartRows(self)


class PartRows(OnDemand[np.ndarray]):
    """Each part's rows of :class:`PartsOnDisk`, whole (``rows[i]``) or in one of the
    table's slices."""

    def __init__(self, parts: PartsOnDisk) -> None:
        super().__init__(len(parts), parts.rows)
        self._parts = parts

    def in_slice(self, number: int, slice_number: int) -> np.ndarray:
        """Part ``number``'s rows in the table's slice ``slice_number``."""
        return self._parts.in_slice(number, slice_number)
