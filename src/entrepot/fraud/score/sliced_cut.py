"""A table on disk in slices cut by its own entities a slice at a time (issue 40 item 3).

``partitions.cut_by_entity`` cuts a table whose entity columns are held whole, as codes:
four bytes a row a column, and the cut's own arrays besides (a part number, two flags and
each part's positions a row). At 20M rows that was about 17 bytes a row, the one step of
a scoring whose memory still grew with the file. Where a cut reads its own entities alone
(no counterparty's whole history joined to its parts: each cut of a table cut twice,
``counterparty_cut``), :func:`cut_in_slices` makes the same parts reading the columns a
slice at a time:

- one column: each slice's codes (``piece_codes.RunningCodes``: the codes the whole
  column's would be) are the rows' groups, hashed to their parts as the whole cut hashes
  them (``partitions.group_parts``), each part's rows in the slice written to disk at once
  (``PartsOnDisk.of_own_rows``);
- several columns: the groups are the connected components of the values the rows link.
  A first pass keeps the links' distinct pairs (bounded by the entities, not the rows)
  and the first column's codes on disk; the components are found over the pairs, which
  number the groups as the whole cut does (scipy labels a component by its first node,
  whatever the edges' count), and a second pass hashes each slice's groups.

What is held is a slice's codes, the distinct values and pairs, and a part's positions
in one slice: the same parts, row for row, as the whole cut.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from entrepot.fraud.score.partitions import group_parts
from entrepot.fraud.score.parts_on_disk import PartsOnDisk
from entrepot.fraud.tables.piece_codes import RunningCodes, code_dtype
from entrepot.spilled_parts import SpilledParts

__all__ = ["SlicedColumns", "cut_in_slices"]


class SlicedColumns(Protocol):
    """A table read a slice at a time (``fraud.tables.sliced.SlicedTable``)."""

    @property
    def rows(self) -> int: ...

    @property
    def starts(self) -> tuple[int, ...]: ...

    def pieces(self, names: Sequence[str]) -> Iterator[pd.DataFrame]: ...


def cut_in_slices(table: SlicedColumns, columns: Sequence[str], parts: int) -> PartsOnDisk:
    """``table``'s non-empty parts among ``parts``, cut by the groups of rows that share a
    value of any of ``columns`` (each part's rows its own): the parts
    ``PartsOnDisk(cut_by_entity(table.codes_of(columns), columns, [], parts, coded=True),
    table.starts)`` holds, never holding a code a row of the table."""
    if not columns:
        raise ValueError("a table is cut by at least one entity column")
    if len(columns) == 1 or not table.rows:
        return PartsOnDisk.of_own_rows(_single(table, columns[0], parts), parts)
    with SpilledParts[np.ndarray]() as first:
        component = _components(table, columns, first)
        groups = (component[first.take(n)] for n in range(len(first)))
        return PartsOnDisk.of_own_rows(_routed(table, groups, parts), parts)


def _single(table: SlicedColumns, column: str, parts: int) -> Iterator[list[np.ndarray]]:
    """Each slice's parts' rows, its groups being one column's codes."""
    running = RunningCodes()
    narrow = code_dtype(table.rows)  # the whole cut's codes' type (their hash is the same)
    groups = (running.of(piece[column]).astype(narrow) for piece in table.pieces([column]))
    return _routed(table, groups, parts)


def _routed(
    table: SlicedColumns, groups: Iterator[np.ndarray], parts: int
) -> Iterator[list[np.ndarray]]:
    """For each slice in order (its rows' groups from ``groups``), each part's rows in it
    (table positions, increasing, in the whole cut's type)."""
    positions = code_dtype(table.rows)
    for start, found in zip(table.starts, groups, strict=False):
        cut = group_parts(found, parts)
        order = np.argsort(cut, kind="stable")  # each part's rows, in the table's order
        bounds = np.searchsorted(cut[order], np.arange(parts + 1))
        at = (order + start).astype(positions)
        yield [at[bounds[p] : bounds[p + 1]] for p in range(parts)]


def _components(
    table: SlicedColumns, columns: Sequence[str], first: SpilledParts[np.ndarray]
) -> np.ndarray:
    """The connected component of each value of ``columns[0]`` (by its code), the values
    of all ``columns`` linked where a row holds them both; each slice's codes of
    ``columns[0]`` put in ``first``, in order."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    running = [RunningCodes() for _ in columns]
    pairs = [np.empty((0, 2), dtype=np.int64) for _ in columns[1:]]
    for piece in table.pieces(list(dict.fromkeys(columns))):
        codes = [r.of(piece[c]) for r, c in zip(running, columns, strict=True)]
        first.put(codes[0].astype(code_dtype(table.rows)))
        for i, other in enumerate(codes[1:]):
            pairs[i] = _distinct(np.concatenate([pairs[i], np.column_stack([codes[0], other])]))
    counts = [r.count for r in running]
    offsets = np.cumsum([0, *counts])
    start = np.concatenate([p[:, 0] for p in pairs])
    end = np.concatenate([p[:, 1] + offsets[i + 1] for i, p in enumerate(pairs)])
    size = int(offsets[-1])
    links = coo_matrix((np.ones(len(start), dtype=np.int8), (start, end)), (size, size))
    _, component = connected_components(links, directed=False)
    found: np.ndarray = component[: counts[0]]
    return found


#: Codes under this are packed two in a 64-bit number to find the distinct links.
PACKED_BELOW = 1 << 31


def _distinct(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of ``pairs`` (``(n, 2)`` codes), sorted: each link once. Two codes
    under :data:`PACKED_BELOW` are packed in one number (a sort of numbers, not of rows);
    a column of more distinct values (a table past two billion rows) is sorted by rows."""
    if not len(pairs) or int(pairs.max()) >= PACKED_BELOW:
        found: np.ndarray = np.unique(pairs, axis=0)
        return found
    packed = np.unique((pairs[:, 0] << 32) | pairs[:, 1])
    return np.column_stack([packed >> 32, packed & 0xFFFFFFFF])
