"""A large CSV's rows held on disk in the slices they were parsed in, never whole (issue
40 item 3; ADR 0127).

A scoring of a large file holds a part of it at a time (``entrepot.fraud_service.pipeline
.partitioned``), but the table was read whole first, and its read and its cut were the
peak of the whole scoring (at 20M rows, 3.4 GiB of 3.4). Here each slice pandas parses
(:data:`~entrepot.fraud.tables.csv_columns.ROWS` rows) goes to an unnamed temporary file
column by column as it is parsed (``entrepot.spilled_parts``), and what the scoring reads
of the table is read back from there: single columns whole (the label, the time, the
entity columns), evenly spaced rows (the description's sample), and the parts' rows,
routed to each part slice by slice (:meth:`SlicedTable.route`).

Every value read back is the one :func:`entrepot.fraud.tables.io.read_table` gives for the
same cell: each slice's columns cast to the dtype the slices join as (integers in one
slice and floats in another: floats, as pandas joins them), infinite numbers missing and
counted (``entrepot.fraud.tables.finite``), text columns in one piece. A table whose slices
do not join as the whole read would is never made (``csv_sliced``)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.fraud.tables.csv_columns import joinable
from entrepot.fraud.tables.finite import INFINITIES
from entrepot.fraud.tables.one_piece import one_piece, text_in_one_piece
from entrepot.spilled_parts import SpilledParts

__all__ = ["SlicedRows", "SlicedTable"]

_FLOAT = np.dtype("float64")


class SlicedTable(ClosedOnExit):
    """A table's slices on disk, column by column (see the module docstring). Use as a
    context manager: the temporary file is gone on leaving."""

    def __init__(self, name: str) -> None:
        #: The file's name, as an error names it.
        self.name = name
        self.columns: list[Hashable] = []
        self._held: SpilledParts[pd.Series] = SpilledParts()
        self._pieces: list[list[int]] = []  # per slice, each column's piece number
        self._starts: list[int] = [0]
        self._dtypes: dict[Hashable, set[np.dtype]] = {}
        self._infinite: dict[Hashable, int] = {}
        self._position: dict[Hashable, int] = {}
        self._routed: list[SpilledParts[pd.DataFrame]] = []

    def close(self) -> None:
        """Forget every slice and every routed part (their temporary files closed, and so
        removed)."""
        self._held.close()
        for routed in self._routed:
            routed.close()

    @property
    def rows(self) -> int:
        """The table's rows."""
        return self._starts[-1]

    @property
    def slices(self) -> int:
        """The slices it was parsed in."""
        return len(self._pieces)

    def add(self, chunk: pd.DataFrame) -> None:
        """The next slice of rows, each column written to disk."""
        if not self.columns:
            self.columns = list(chunk.columns)
            self._position = {column: i for i, column in enumerate(self.columns)}
        elif list(chunk.columns) != self.columns:
            raise ValueError("a slice with other columns than the first")
        numbers = []
        for position, column in enumerate(self.columns):
            values = chunk.iloc[:, position]
            self._dtypes.setdefault(column, set()).add(values.dtype)
            if values.dtype == _FLOAT:
                count = int(np.isinf(values.to_numpy()).sum())
                if count:
                    self._infinite[column] = self._infinite.get(column, 0) + count
            numbers.append(self._held.put(values.reset_index(drop=True)))
        self._pieces.append(numbers)
        self._starts.append(self._starts[-1] + len(chunk))

    def joinable(self) -> bool:
        """Whether each column's slices join as the whole read joins them."""
        return all(joinable(found) for found in self._dtypes.values())

    def dtype(self, column: Hashable) -> np.dtype | pd.api.extensions.ExtensionDtype:
        """The dtype of ``column`` once joined."""
        found = self._dtypes[column]
        return next(iter(found)) if len(found) == 1 else _FLOAT

    def infinities(self) -> dict[str, int]:
        """The infinite values each column held, read as missing (``finite.INFINITIES``)."""
        return {str(column): count for column, count in self._infinite.items()}

    def head(self, rows: int) -> pd.DataFrame:
        """The table's first ``rows`` rows (at most its first slice's)."""
        return self._slice(0, self.columns).iloc[:rows]

    def column(self, name: Hashable) -> pd.Series:
        """The whole column ``name``, as the whole read gives it."""
        pieces = [self._piece(number, name) for number in range(self.slices)]
        joined = pd.concat(pieces, ignore_index=True)
        return pd.Series(one_piece(joined.array), name=name, copy=False)

    def columns_of(self, names: Sequence[Hashable]) -> pd.DataFrame:
        """The whole columns ``names``, in that order (none: the table's rows alone)."""
        if not names:
            return pd.DataFrame(index=pd.RangeIndex(self.rows))
        return pd.DataFrame({name: self.column(name) for name in names}, copy=False)

    def codes_of(self, names: Sequence[Hashable]) -> pd.DataFrame:
        """The columns ``names`` as the integer codes their values' ``pandas.factorize``
        gives (equal values, equal codes; a missing value one code), read a slice at a
        time: what compares values alone never holds a whole column of them."""
        from entrepot.fraud.tables.piece_codes import piece_codes

        return pd.DataFrame(
            {
                name: piece_codes((piece[name] for piece in self.pieces([name])), self.rows)
                for name in names
            },
            index=pd.RangeIndex(self.rows),
            copy=False,
        )

    def pieces(self, names: Sequence[Hashable]) -> Iterator[pd.DataFrame]:
        """The columns ``names`` a slice at a time, each as :meth:`column` gives its rows:
        what reads each value alone (a parse of the rows' times) never holds the whole."""
        for number in range(self.slices):
            yield self._slice(number, names)

    def joined(self) -> pd.DataFrame:
        """The whole table, as :func:`~entrepot.fraud.tables.io.read_table` gives it."""
        frame = self.columns_of(self.columns)
        if self._infinite:
            frame.attrs[INFINITIES] = self.infinities()
        return frame

    def rows_at(self, positions: np.ndarray) -> pd.DataFrame:
        """The rows at ``positions`` (increasing), every column, indexed by their
        positions, the table's infinities in its ``attrs`` (what the description reads)."""
        pieces = []
        for number in range(self.slices):
            start, end = self._starts[number], self._starts[number + 1]
            local = _within(positions, start, end)
            if len(local):
                pieces.append(self._slice(number, self.columns).take(local))
        found = pd.concat(pieces, ignore_index=True) if pieces else self.head(0)
        found = text_in_one_piece(found, give=False)
        found.index = pd.Index(positions)
        if self._infinite:
            found.attrs[INFINITIES] = self.infinities()
        return found

    @property
    def starts(self) -> tuple[int, ...]:
        """Where each slice begins (a row position), and the table's end last."""
        return tuple(self._starts)

    def route(
        self,
        cuts: Sequence[tuple[SlicedRows | Sequence[np.ndarray], Sequence[Hashable]]],
        made: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    ) -> list[Callable[[int], pd.DataFrame]]:
        """For each cut, ``(rows of each part, columns)``, how each part's rows of those
        columns are read back: as ``table.joined()[columns].take(rows)`` gives them. The
        table is read once, a slice at a time, each slice's rows of each part (each cut's
        :meth:`SlicedRows.in_slice`, cut where :attr:`starts` says) written to disk as a
        piece of that part; rows held in memory as arrays are cut here). ``made``: each slice
        routed as it makes it of the slice's columns (a row's values of its own alone: a
        time column parsed once for every cut, not in each part of each)."""
        sliced = [(_sliced_rows(parts, self._starts), columns) for parts, columns in cuts]
        held: SpilledParts[pd.DataFrame] = SpilledParts()
        pieces: list[list[list[int]]] = [[[] for _ in range(len(parts))] for parts, _ in sliced]
        wanted = list(dict.fromkeys(c for _, columns in cuts for c in columns))
        for number in range(self.slices):
            start = self._starts[number]
            block = self._slice(number, wanted)
            if made is not None:
                block = made(block)
            for cut, (parts, columns) in enumerate(sliced):
                chosen = block[list(columns)]
                for part in range(len(parts)):
                    local = parts.in_slice(part, number) - start
                    if len(local):
                        pieces[cut][part].append(held.put(chosen.take(local)))
            del block
        self._routed.append(held)
        return [
            _PartReader(held, pieces[cut], parts, list(columns))
            for cut, (parts, columns) in enumerate(sliced)
        ]

    def _slice(self, number: int, columns: Sequence[Hashable]) -> pd.DataFrame:
        """Slice ``number``'s ``columns``, each cast to its joined dtype."""
        return pd.DataFrame({column: self._piece(number, column) for column in columns}, copy=False)

    def _piece(self, number: int, column: Hashable) -> pd.Series:
        """Slice ``number``'s values of ``column``, in its joined dtype, infinite
        numbers missing."""
        if not len(self._held):
            raise OSError(f"the slices of {self.name} read after they were closed")
        values = self._held.take(self._pieces[number][self._position[column]])
        dtype = self.dtype(column)
        if values.dtype != dtype:
            values = values.astype(dtype)
        if dtype == _FLOAT and column in self._infinite:
            values = values.mask(np.isinf(values.to_numpy()))
        return values


@runtime_checkable
class SlicedRows(Protocol):
    """Each part's rows of a cut (table positions, increasing), whole or in one slice."""

    def __len__(self) -> int: ...

    def __getitem__(self, part: int, /) -> np.ndarray: ...

    def in_slice(self, part: int, slice_number: int, /) -> np.ndarray:
        """Part ``part``'s rows in slice ``slice_number`` (from its start to the next's)."""
        ...


class _PartReader:
    """Reads a cut's part back from its pieces (:meth:`SlicedTable.route`)."""

    def __init__(
        self,
        held: SpilledParts[pd.DataFrame],
        pieces: list[list[int]],
        parts: SlicedRows,
        columns: list[Hashable],
    ) -> None:
        self.held = held
        self.pieces = pieces
        self.parts = parts
        self.columns = columns

    def __call__(self, part: int) -> pd.DataFrame:
        if not len(self.held):
            raise OSError("a routed part read after its table was closed")
        found = [self.held.take(number) for number in self.pieces[part]]
        frame = pd.concat(found, ignore_index=True)[self.columns]
        frame = text_in_one_piece(frame, give=False)
        frame.index = pd.Index(self.parts[part])
        return frame


class _HeldRows:
    """Each part's rows held in memory, cut where the table's slices begin on demand."""

    def __init__(self, parts: Sequence[np.ndarray], starts: Sequence[int]) -> None:
        self._parts = parts
        self._starts = starts

    def __len__(self) -> int:
        return len(self._parts)

    def __getitem__(self, part: int, /) -> np.ndarray:
        return self._parts[part]

    def in_slice(self, part: int, slice_number: int, /) -> np.ndarray:
        start, end = self._starts[slice_number], self._starts[slice_number + 1]
        return _within(self._parts[part], start, end) + start


def _sliced_rows(parts: SlicedRows | Sequence[np.ndarray], starts: Sequence[int]) -> SlicedRows:
    """``parts`` as :class:`SlicedRows`: arrays held in memory cut as each slice is read."""
    return parts if isinstance(parts, SlicedRows) else _HeldRows(parts, starts)


def _within(positions: np.ndarray, start: int, end: int) -> np.ndarray:
    """The ``positions`` (increasing) from ``start`` to ``end``, counted from ``start``."""
    first, last = np.searchsorted(positions, [start, end])
    found: np.ndarray = positions[first:last] - start
    return found
