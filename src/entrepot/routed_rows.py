"""Rows made in one cut of a table, held on disk until the part of another cut that reads
them asks for its own (ADR 0119).

A table scored in two cuts (``entrepot.fraud.score.counterparty_cut``) makes each row's
counterparty features in parts cut by counterparty, and reads them in parts cut by
customer: a row's place changes between the two. Put back in the table's order, they
were one array of the whole table held in memory while every part scored (six float64
columns: 229 MiB at 5M rows, beside the table itself). :class:`RoutedRows` keeps none of
it: each made block of rows is cut by the part that will read each row and written to an
unnamed temporary file, its rows' places in that part beside them; :meth:`RoutedRows.part`
reads one part's rows back, in that part's order. What a process holds is then a part's
rows, not the table's.

Nothing changes a value: the bytes read back are the bytes written, and every row of a
part must have been given once (a part's rows missing or given twice is an error, never
zeros). Where the temporary file cannot be written (a full disk), the blocks are kept in
memory instead. The file goes to the system's temporary folder (``TMPDIR``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO

import numpy as np

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.spilled_rows import read_exactly, write_all

__all__ = ["RoutedRows", "part_sizes"]

#: What the system's temporary folder holds while rows are routed.
PREFIX = "entrepot-routed-"
#: Owners counted at a time (:func:`part_sizes`).
COUNT_ROWS = 1 << 20


@dataclass(frozen=True, slots=True)
class _Piece:
    """``count`` rows of one part: at ``start`` in the temporary file (their places, then
    their values), or ``kept`` in memory (a full disk)."""

    count: int
    start: int = 0
    kept: tuple[np.ndarray, np.ndarray] | None = None


class RoutedRows(ClosedOnExit):
    """Float64 rows of ``width`` values each, bound for the parts that read them.

    ``owner[r]`` is the part that reads row ``r`` of the table and ``place[r]`` the row's
    place in that part (``0 ≤ place < sizes[owner]``); a part's places are its rows in
    its order. Use as a context manager: the temporary file is gone on leaving."""

    def __init__(self, owner: np.ndarray, place: np.ndarray, parts: int, width: int) -> None:
        # as given: a caller's compact ``int32`` index is not copied to eight bytes a row
        self._owner: np.ndarray | None = np.asarray(owner)
        self._place: np.ndarray | None = np.asarray(place)
        self._sizes = part_sizes(self._owner, parts)
        self._width = width
        self._pieces: list[list[_Piece]] = [[] for _ in range(parts)]
        self._held: IO[bytes] | None = None
        self._end = 0
        self._on_disk = True

    def close(self) -> None:
        """Forget every row (the temporary file closed, and so removed)."""
        if self._held is not None:
            self._held.close()
            self._held = None
        self._pieces = [[] for _ in self._pieces]

    @property
    def on_disk(self) -> bool:
        """Whether the rows went to the temporary file (``False``: kept in memory)."""
        return self._on_disk

    def seal(self) -> None:
        """Every row is given: the rows' owners and places are let go (eight bytes a row of
        the table, held otherwise while every part is read back); a later :meth:`put` is
        an error."""
        self._owner = self._place = None

    def put(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Hold ``values`` (``(len(rows), width)``) of the table's ``rows``, each bound for
        the part that reads it."""
        if self._owner is None or self._place is None:
            raise ValueError("rows put after every row was given (sealed)")
        values = np.asarray(values, dtype=np.float64).reshape(len(rows), self._width)
        owner = self._owner[rows]
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(len(self._sizes) + 1))
        for part in range(len(self._sizes)):
            at = order[bounds[part] : bounds[part + 1]]
            if len(at):
                self._hold(part, self._place[rows[at]], values[at])

    def part(self, part: int) -> np.ndarray:
        """Part ``part``'s rows, ``(size, width)``, in its order; each must have been given
        exactly once."""
        found = np.empty((int(self._sizes[part]), self._width), dtype=np.float64)
        seen = np.zeros(len(found), dtype=bool)
        for piece in self._pieces[part]:
            places, values = self._read(piece)
            if seen[places].any():
                raise ValueError(f"rows of part {part} were given twice")
            seen[places] = True
            found[places] = values
        if not seen.all():
            raise ValueError(f"{int((~seen).sum())} rows of part {part} were never given")
        return found

    def _hold(self, part: int, places: np.ndarray, values: np.ndarray) -> None:
        if self._on_disk:
            try:
                self._pieces[part].append(self._write(places, values))
                return
            except OSError:  # no room on disk: this block and the next are kept in memory
                self._on_disk = False
        kept = (places.copy(), np.ascontiguousarray(values))
        self._pieces[part].append(_Piece(len(places), kept=kept))

    def _write(self, places: np.ndarray, values: np.ndarray) -> _Piece:
        if self._held is None:
            self._held = tempfile.TemporaryFile(prefix=PREFIX, buffering=0)  # noqa: SIM115
        start = self._end
        self._held.seek(start)
        for block in (places.astype(np.int64), np.ascontiguousarray(values)):
            write_all(self._held, block.data.cast("B"))
        self._end = self._held.tell()
        return _Piece(len(places), start=start)

    def _read(self, piece: _Piece) -> tuple[np.ndarray, np.ndarray]:
        if piece.kept is not None:
            return piece.kept
        if self._held is None:
            raise OSError("routed rows read after their file was closed")
        places = np.empty(piece.count, dtype=np.int64)
        values = np.empty((piece.count, self._width), dtype=np.float64)
        self._held.seek(piece.start)
        for block in (places, values):
            read_exactly(self._held, block.data.cast("B"), "routed rows")
        return places, values


def part_sizes(owner: np.ndarray, parts: int) -> np.ndarray:
    """How many rows each of ``parts`` parts owns, counted :data:`COUNT_ROWS` owners at a
    time: ``numpy.bincount`` takes its input as ``intp``, and a copy of every owner in
    eight bytes (160 MB at 20M rows) was a scoring's counterparty step's largest array."""
    sizes = np.zeros(parts, dtype=np.int64)
    for start in range(0, len(owner), COUNT_ROWS):
        counted = np.bincount(owner[start : start + COUNT_ROWS], minlength=parts)
        if len(counted) > parts:
            raise ValueError(f"a row's part is {len(counted) - 1}, of {parts} parts")
        sizes += counted
    return sizes
