"""The scores of a table's parts held on disk and read back a slice of the table's rows at
a time, in its order (issue 40 item 3; ADR 0129).

:class:`~entrepot.fraud.score.merged_scores.MergedScores` writes every part's scores to
arrays of the whole table's rows: about 35 bytes a row, and 55 once the text of its risk
levels and explanations is made (1.1 GB at 20M rows), all held until the file is written.
:class:`SpilledScores` holds on disk what only the written file reads: as each part comes
back, its own rows' scores are cut where the table's slices of :data:`SLICE_ROWS` rows
begin, and each piece is written to a temporary file (``entrepot.spilled_parts``) under
its slice's number and the part's. A slice of the table's scores is then its pieces,
joined and put in the table's order: the rows :meth:`MergedScores.merged` gives for it,
bit for bit. Nothing is held in memory for each row while the parts come back but the
counts the summary reads (``fraud_service.summary.tally``), added as each part comes
back: the figures' columns (the probability and the prediction, 9 bytes a row: 180 MB at
20M rows, beside the parts' features) are written with each part too, a piece a slice
(``fraud.score.held_pieces``), and the figures read them a slice at a time
(:meth:`column`, ADR 0136); :meth:`values` puts one whole in the table's order (an
evaluation's measures sort every row), held until :meth:`let_go_held`.

A part whose column's dtype differs from the first part's (a nullable column holding
values in one part and none in another) makes the slices joined from the whole table's
join, as ``pandas.concat`` upcasts a column over every part: the same frame, not bounded.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from entrepot.closed_on_exit import ClosedOnExit
from entrepot.fraud.score.held_pieces import HeldColumn, HeldPieces
from entrepot.fraud.score.merged_scores import ROW, with_texts
from entrepot.fraud.score.parts_put import PartsPut
from entrepot.fraud.tables.values import same_bits
from entrepot.spilled_parts import SpilledParts

if TYPE_CHECKING:
    from entrepot.fraud.score.partitions import Part

__all__ = [
    "HELD",
    "SLICE_ROWS",
    "SpilledScores",
    "as_frame",
    "held_column",
    "held_values",
    "score_columns",
]

#: The table's rows read back at a time.
SLICE_ROWS = 1 << 20
#: The columns held for every row, in memory: what the figures after the scoring read.
HELD = ("fraud_probability", "prediction")

#: A piece of a part's scores (its rows in one slice, in the part's order) and their
#: positions in the slice.
_Piece = tuple[pd.DataFrame, np.ndarray]


class SpilledScores(ClosedOnExit):
    """The table's scores, put part by part (:meth:`put`), read back in slices
    (:meth:`slices`) or whole (:meth:`frame`) once every part is in. Use as a context
    manager (or :meth:`close` it): the temporary file goes with it, as it does when the
    scores are let go unclosed.

    ``tally``: what a part's scores add to :attr:`tallied` (integer counts, so the same
    whatever order the parts come back in); ``slice_rows``: the rows of a slice
    (:data:`SLICE_ROWS`)."""

    def __init__(
        self,
        parts: Sequence[Part],
        *,
        tally: Callable[[pd.DataFrame], Mapping[str, int]] | None = None,
        slice_rows: int | None = None,
    ) -> None:
        self._parts = parts
        self._count = len(parts)
        self._total = sum(int(np.count_nonzero(part.own)) for part in parts)
        self._slice_rows = SLICE_ROWS if slice_rows is None else slice_rows
        self._tally = tally
        self.tallied: Counter[str] = Counter()
        self._spilled: SpilledParts[_Piece] = SpilledParts()
        # the figures' columns, a piece for each part's rows in each slice
        self._figures = HeldPieces(self._total, self._slice_rows)
        for spilled in (self._spilled, self._figures):
            weakref.finalize(self, spilled.close)  # never left open, even unclosed
        self._buckets: dict[tuple[int, int], int] = {}  # (slice, part): the spilled piece
        self._held: dict[str, np.ndarray] = {}
        # each part's columns read from a held column of the same piece, that repeat it bit
        # for bit (a one-model ensemble's member score): (column, held column)
        self._repeats: dict[int, list[tuple[str, str]]] = {}
        self._book = PartsPut(len(parts))
        self._dtypes: pd.Series | None = None
        self._mixed = False
        self._texts: dict[str, tuple[np.ndarray, list[str]]] = {}

    def close(self) -> None:
        """Forget the pieces on disk (the figures' columns stay where they were made)."""
        self._spilled.close()
        self._figures.close()

    def __len__(self) -> int:
        return self._total

    def put(self, number: int, scores: pd.DataFrame) -> None:
        """Part ``number``'s scores (its own rows', in its order): the figures' columns put
        in their rows' places, the rest written to disk a slice's piece at a time;
        ``scores`` can be let go after."""
        if self._book.every:  # the parts let go: every one was put
            raise ValueError(f"the scores of part {number} were put twice")
        part = self._parts[number]
        where = part.own_rows()
        self._book.check(number, scores, len(where))
        held = {name: scores[name].to_numpy() for name in HELD}
        self._figures.check(held)
        if self._tally is not None:
            self.tallied.update(self._tally(scores))
        body = scores.drop(columns=[ROW]) if ROW in scores.columns else scores
        if self._dtypes is None:
            self._dtypes = body.dtypes
        elif not body.dtypes.equals(self._dtypes):
            self._mixed = True
        repeats = self._repeats[number] = _repeats(body)
        body = body.drop(columns=[name for name, _ in repeats])
        order = None if _ascending(where) else np.argsort(where, kind="stable")
        if order is not None:
            where, body = where[order], body.take(order)
            held = {name: values[order] for name, values in held.items()}
        slices = where // self._slice_rows
        starts = np.concatenate([[0], np.flatnonzero(np.diff(slices)) + 1, [len(where)]])
        for low, high in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
            if high > low:
                at = int(slices[low])
                placed = (where[low:high] - at * self._slice_rows).astype(np.int32)
                piece = body.iloc[low:high].reset_index(drop=True)
                self._buckets[(at, number)] = self._spilled.put((piece, placed))
                self._figures.put(at, {n: v[low:high] for n, v in held.items()}, placed)
        self._book.done(number)
        if self._book.every:  # every row is in its place: the parts' rows (five bytes a row
            self._parts = ()  # of the table) are not held through the figures and the file

    def values(self, name: str) -> np.ndarray:
        """Column ``name``'s values (one of :data:`HELD`) in the table's row order, once
        every part is put: the array held (put in order from the pieces on the first
        call, or the first after :meth:`let_go_held`), not a copy."""
        self._complete()
        if name not in HELD:
            raise ValueError(f"the scores' column {name} is not held in memory")
        if not self._held:
            self._held = self._figures.whole()
        if name not in self._held:  # no part held a row
            raise ValueError(f"the scores' column {name} is not held in memory")
        return self._held[name]

    def column(self, name: str) -> HeldColumn:
        """Column ``name`` (one of :data:`HELD`) in the table's row order, once every part
        is put, read a slice at a time as asked: nothing of every row held."""
        self._complete()
        if name not in HELD:
            raise ValueError(f"the scores' column {name} is not held")
        return self._figures.column(name)

    def let_go_held(self) -> None:
        """Stop holding the figures' columns in the table's order (read again, they are
        put in order again): the slices and the file read them from their pieces."""
        self._held = {}

    def read(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        """Columns ``names`` in the table's row order, once every part is put: a held one,
        or one every part repeats from a held one (a one-model ensemble's member score),
        as held; the others read back in one pass over the slices, a column at a time
        joined (8 bytes a row for a number)."""
        self._complete()
        found: dict[str, np.ndarray] = {}
        rest: dict[str, list[np.ndarray]] = {}
        for name in dict.fromkeys(names):
            source = name if name in HELD else self._repeated(name)
            if source is None:
                rest[name] = []
            else:
                found[name] = self.values(source)
        if rest:
            for piece in self.slices():
                for name, values in rest.items():
                    values.append(piece[name].to_numpy())
            found |= {name: np.concatenate(values) for name, values in rest.items()}
        return {name: found[name] for name in dict.fromkeys(names)}

    def _repeated(self, name: str) -> str | None:
        """The held column every part's ``name`` repeats bit for bit, if one does."""
        sources = {dict(repeats).get(name) for repeats in self._repeats.values()}
        source = sources.pop() if len(sources) == 1 else None
        return source

    def put_texts(self, name: str, rows: np.ndarray, texts: Sequence[str]) -> None:
        """Text column ``name``'s values at ``rows`` (the table's positions) replaced by
        ``texts`` as each slice is read (the explanations, found after the scores)."""
        self._complete()
        rows = np.asarray(rows, dtype=np.intp)
        order = np.argsort(rows, kind="stable")
        self._texts[name] = (rows[order], [texts[i] for i in order.tolist()])

    def slices(self) -> Iterator[pd.DataFrame]:
        """The table's scores, :data:`SLICE_ROWS` rows at a time in its order (``row``
        numbered from 1 over the table): joined, they are :meth:`frame`."""
        self._complete()
        if self._mixed or not self._total:
            whole = self.frame()
            for start in range(0, max(len(whole), 1), self._slice_rows):
                yield whole.iloc[start : start + self._slice_rows].reset_index(drop=True)
            return
        for at in range(-(-self._total // self._slice_rows)):
            yield self._slice(at)

    def _slice(self, at: int) -> pd.DataFrame:
        start = at * self._slice_rows
        size = min(self._slice_rows, self._total - start)
        parts = [(at, part) for part in range(self._count) if (at, part) in self._buckets]
        return self._ordered(parts, start, size)

    def _ordered(self, pieces: list[tuple[int, int]], start: int, size: int) -> pd.DataFrame:
        """The ``(slice, part)`` ``pieces`` read back, joined in that order and put in the
        table's order: its ``size`` rows from ``start``."""
        read = [self._read(at, part) for at, part in pieces]
        joined = pd.concat([piece for piece, _ in read], ignore_index=True)
        places = [
            placed.astype(np.intp) + (at * self._slice_rows - start)
            for (at, _), (_, placed) in zip(pieces, read, strict=True)
        ]
        del read
        order = np.empty(size, dtype=np.intp)
        order[np.concatenate(places)] = np.arange(size)
        return self._finished(joined.take(order).reset_index(drop=True), start)

    def _read(self, at: int, part: int) -> _Piece:
        """Part ``part``'s piece of slice ``at``, its columns repeating a held one made
        again from it."""
        piece, placed = self._spilled.take(self._buckets[(at, part)])
        repeats = self._repeats[part]
        if not repeats:
            return piece, placed
        for name, source in repeats:
            piece[name] = piece[source].to_numpy().copy()
        assert self._dtypes is not None
        return piece[list(self._dtypes.index)], placed

    def frame(self) -> pd.DataFrame:
        """Every part's scores as the table's, in its row order, ``row`` numbered from 1:
        what :meth:`MergedScores.merged` gives (every piece read back at once)."""
        self._complete()
        if not self._buckets:
            assert self._dtypes is not None
            empty = pd.DataFrame({n: pd.Series(dtype=t) for n, t in self._dtypes.items()})
            return self._finished(empty, 0)
        pieces = sorted(self._buckets, key=lambda key: (key[1], key[0]))  # by part, then slice
        return self._ordered(pieces, 0, self._total)

    def _finished(self, frame: pd.DataFrame, start: int) -> pd.DataFrame:
        """``frame`` (the table's rows from ``start``) with the texts put and ``row``
        numbered, its columns in the parts' order."""
        names = self._book.complete()
        end = start + len(frame)
        for name, (rows, texts) in self._texts.items():
            low, high = np.searchsorted(rows, [start, end])
            if high > low:
                frame[name] = with_texts(frame[name], rows[low:high] - start, texts[low:high])
        numbered = np.arange(start + 1, end + 1)
        if ROW in names:
            frame.insert(int(names.get_loc(ROW)), ROW, numbered)
        else:
            frame[ROW] = numbered
        return frame

    def _complete(self) -> None:
        self._book.complete()

    def write(self, path: str | Path) -> Path:
        """The scores written to ``path`` as :func:`~entrepot.fraud.tables.io.write_table`
        writes their frame: a slice at a time where it is a CSV file (any suffix but
        Parquet's and XLSX's), else read back whole."""
        from entrepot.fraud.tables.io import write_csv_slices, write_table

        if Path(path).suffix.lower() in (".parquet", ".pq", ".xlsx"):
            return write_table(self.frame(), path)
        return write_csv_slices(self.slices(), path)


def held_values(scores: pd.DataFrame | SpilledScores, name: str) -> np.ndarray:
    """Column ``name`` (one of :data:`HELD`) of ``scores``, in the table's row order."""
    if isinstance(scores, SpilledScores):
        return scores.values(name)
    return np.asarray(scores[name].to_numpy())


def held_column(scores: pd.DataFrame | SpilledScores, name: str) -> np.ndarray | HeldColumn:
    """:func:`held_values`, read a slice at a time where ``scores`` are on disk."""
    if isinstance(scores, SpilledScores):
        return scores.column(name)
    return held_values(scores, name)


def score_columns(
    scores: pd.DataFrame | SpilledScores, names: Sequence[str]
) -> dict[str, np.ndarray]:
    """Columns ``names`` of ``scores``, in the table's row order (read back from disk in
    one pass where they are held there: :meth:`SpilledScores.read`)."""
    if isinstance(scores, SpilledScores):
        return scores.read(names)
    return {name: np.asarray(scores[name].to_numpy()) for name in dict.fromkeys(names)}


def as_frame(scores: pd.DataFrame | SpilledScores) -> pd.DataFrame:
    """``scores`` as one frame (read back whole where they are on disk)."""
    return scores if isinstance(scores, pd.DataFrame) else scores.frame()


def _repeats(body: pd.DataFrame) -> list[tuple[str, str]]:
    """``body``'s columns whose values a held column gives, other than the held ones: any
    NumPy column repeating one of them bit for bit; each with the held column read."""
    found: list[tuple[str, str]] = []
    if not body.columns.is_unique:
        return found  # columns told apart by their places alone: every one written
    for name in body.columns:
        if name in HELD:
            continue
        values = body[name]
        if not isinstance(values.dtype, np.dtype):
            continue
        for source in HELD:
            if same_bits(values.to_numpy(), body[source].to_numpy()):
                found.append((str(name), source))
                break
    return found


def _ascending(where: np.ndarray) -> bool:
    return bool(len(where) < 2 or (where[1:] > where[:-1]).all())
