"""Rows made in one cut of a table, held on disk until the part of another cut that reads
them asks for its own (ADR 0119).

A table scored in two cuts (``entrepot.fraud.score.counterparty_cut``) makes each row's
counterparty features in parts cut by counterparty, and reads them in parts cut by
customer: a row's place changes between the two. Put back in the table's order, they
were one array of the whole table held in memory while every part scored (six float64
columns: 229 MiB at 5M rows, beside the table itself). :class:`RoutedRows` keeps none of
it: each made block of rows is cut by the part that will read each row and written to an
unnamed temporary file, its rows' table positions beside them; :meth:`RoutedRows.part`
reads one part's rows back, each put at its place among that part's rows. What a process
holds is then a part's rows, and a byte a row of the table for each row's part while the
blocks are made (each row's place in its part, four bytes a row more, is found as a part
is read back instead: 80 MB less at 20M rows).

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
    """``count`` rows of one part: at ``start`` in the temporary file (their table
    positions, then their values), or ``kept`` in memory (a full disk)."""

    count: int
    start: int = 0
    kept: tuple[np.ndarray, np.ndarray] | None = None


class RoutedRows(ClosedOnExit):
    """Float64 rows of ``width`` values each, bound for the parts that read them.

    ``owner[r]`` is the part that reads row ``r`` of the table, one of ``parts``; a part
    is read back in the order of its rows as :meth:`part` is given them. Use as a context
    manager: the temporary file is gone on leaving."""

    def __init__(self, owner: np.ndarray, parts: int, width: int) -> None:
        # as given: a caller's compact index is not copied to eight bytes a row
        self._owner: np.ndarray | None = np.asarray(owner)
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
        """Every row is given: the rows' owners are let go (a byte a row of the table, held
        otherwise while every part is read back); a later :meth:`put` is an error."""
        self._owner = None

    def put(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Hold ``values`` (``(len(rows), width)``) of the table's ``rows``, each bound for
        the part that reads it."""
        if self._owner is None:
            raise ValueError("rows put after every row was given (sealed)")
        values = np.asarray(values, dtype=np.float64).reshape(len(rows), self._width)
        owner = self._owner[rows]
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(len(self._sizes) + 1))
        for part in range(len(self._sizes)):
            at = order[bounds[part] : bounds[part + 1]]
            if len(at):
                self._hold(part, rows[at], values[at])

    def part(self, part: int, rows: np.ndarray) -> np.ndarray:
        """Part ``part``'s rows, ``(size, width)``, in the order of ``rows`` (its table
        positions, every one owned by the part); each must have been given exactly once."""
        rows = np.asarray(rows)
        if len(rows) != self._sizes[part]:
            raise ValueError(f"part {part} owns {self._sizes[part]} rows, not {len(rows)}")
        found = np.empty((len(rows), self._width), dtype=np.float64)
        seen = np.zeros(len(found), dtype=bool)
        placed = _Places(rows)
        for piece in self._pieces[part]:
            positions, values = self._read(piece)
            places = placed.of(positions, part)
            if seen[places].any():
                raise ValueError(f"rows of part {part} were given twice")
            seen[places] = True
            found[places] = values
        if not seen.all():
            raise ValueError(f"{int((~seen).sum())} rows of part {part} were never given")
        return found

    def _hold(self, part: int, positions: np.ndarray, values: np.ndarray) -> None:
        if self._on_disk:
            try:
                self._pieces[part].append(self._write(positions, values))
                return
            except OSError:  # no room on disk: this block and the next are kept in memory
                self._on_disk = False
        kept = (positions.astype(np.int64), np.ascontiguousarray(values))
        self._pieces[part].append(_Piece(len(positions), kept=kept))

    def _write(self, positions: np.ndarray, values: np.ndarray) -> _Piece:
        if self._held is None:
            self._held = tempfile.TemporaryFile(prefix=PREFIX, buffering=0)  # noqa: SIM115
        start = self._end
        self._held.seek(start)
        for block in (positions.astype(np.int64), np.ascontiguousarray(values)):
            write_all(self._held, block.data.cast("B"))
        self._end = self._held.tell()
        return _Piece(len(positions), start=start)

    def _read(self, piece: _Piece) -> tuple[np.ndarray, np.ndarray]:
        if piece.kept is not None:
            return piece.kept
        if self._held is None:
            raise OSError("routed rows read after their file was closed")
        positions = np.empty(piece.count, dtype=np.int64)
        values = np.empty((piece.count, self._width), dtype=np.float64)
        self._held.seek(piece.start)
        for block in (positions, values):
            read_exactly(self._held, block.data.cast("B"), "routed rows")
        return positions, values


class _Places:
    """Where each table position lies among a part's ``rows`` (its table positions, in
    its order): found by a binary search, over the rows as they are where they increase
    (as every cut's parts do), else through their order."""

    def __init__(self, rows: np.ndarray) -> None:
        self._rows = rows
        increasing = len(rows) < 2 or bool((rows[1:] > rows[:-1]).all())
        self._order = None if increasing else np.argsort(rows, kind="stable")

    def of(self, positions: np.ndarray, part: int) -> np.ndarray:
        """The places of ``positions`` among the rows; a position that is none of them
        is an error, never a row put in another's place."""
        rows, order = self._rows, self._order
        at = np.searchsorted(rows, positions, sorter=order)
        at = np.minimum(at, max(len(rows) - 1, 0))
        places = at if order is None else order[at]
        if not len(rows) or (rows[places] != positions).any():
            raise ValueError(f"rows given to part {part} that it does not read")
        found: np.ndarray = places
        return found


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
