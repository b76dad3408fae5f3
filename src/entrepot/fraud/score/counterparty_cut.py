"""A table scored over parts in two cuts, each row read once in each (issue 40, items 3
and 5; ADR 0104).

A row's customer features read its customer's earlier rows alone, its counterparty
features (a terminal's counts and fraud rate) its counterparty's alone
(``entrepot.fraud.model.behaviour``). One cut by customer must give each part every row
of every counterparty its customers used (``entrepot.fraud.score.partitions
.cut_by_entity``): where terminals are shared by all customers, nearly the whole table in
every part. So the table is cut twice instead. Cut by counterparty groups, each part
makes its rows' counterparty features (:func:`counterparty_columns`); they are held on
disk until the part of the other cut that reads them asks for its own
(:class:`RoutedMade`); cut by customer groups, each part makes the rest of its rows'
features, is given their counterparty features (:meth:`RoutedMade.given`) and scores
them. Each part holds about the table's rows over the parts, in both cuts,
and every feature is the bits one process makes.

A table is cut twice when its members read both customers and counterparties and every
member takes the fast path (``entrepot.fraud.score.numpy_path``), which alone can be
given features: :func:`cut_roles`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from entrepot.routed_rows import RoutedRows

if TYPE_CHECKING:
    import pandas as pd

    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.score.ensemble import Ensemble


@dataclass(frozen=True, slots=True)
class Made:
    """One member's counterparty features of some rows: their names, and their values
    ``(rows, names)``."""

    names: tuple[str, ...]
    values: np.ndarray


def cut_roles(frame: pd.DataFrame, ensemble: Ensemble) -> tuple[list[str], list[str]] | None:
    """The columns the table is cut by, customers' then counterparties', when it is cut
    twice; ``None`` when it is not (no customer or no counterparty read, a column name
    repeated, a member the fast path does not read)."""
    from entrepot.fraud.score.column_reader import ColumnReader
    from entrepot.fraud.score.partitions import role_columns
    from entrepot.fraud.score.scoring import fast_reads

    columns = [str(c) for c in frame.columns]
    customers, counterparties = role_columns(ensemble, columns)
    if not customers or not counterparties or len(set(columns)) != len(columns):
        return None
    reader = ColumnReader(frame.head(0).rename(columns=str))
    if not all(fast_reads(member, reader) for member in ensemble.members):
        return None
    return customers, counterparties


def read_columns(ensemble: Ensemble, columns: Sequence[str]) -> list[str]:
    """The table's columns the counterparty features read (time, amount, counterparties),
    in its order: what the counterparty cut's parts are sent."""
    read: set[str] = set()
    for member, model in zip(ensemble.members, ensemble.models, strict=True):
        spec = model.features.spec
        wanted = {spec.timestamp, spec.amount, *spec.counterparties}
        read.update(up for up, mine in member.mapping.items() if mine in wanted)
    return [c for c in columns if c in read]


def counterparty_columns(frame: pd.DataFrame, ensemble: Ensemble, upload: Upload) -> list[Made]:
    """Each member's counterparty features of ``frame``'s rows (a part of the counterparty
    cut: each of its counterparties' whole history); ``upload``: the whole table's
    description."""
    from entrepot.fraud.score.column_reader import ColumnReader
    from entrepot.fraud.score.numpy_path import compiled

    shared = len(ensemble.members) > 1
    reader = ColumnReader(frame.reset_index(drop=True).rename(columns=str), shared=shared)
    found = []
    for member, model in zip(ensemble.members, ensemble.models, strict=True):
        fast = compiled(model)
        made = fast.counterparty_features(reader, member.mapping, upload, member.history)
        names = tuple(made)
        values = np.empty((reader.rows, len(names)))
        for j, name in enumerate(names):
            values[:, j] = made[name]
        found.append(Made(names, values))
    return found


class RoutedMade:
    """Each member's counterparty features of every row, made in the counterparty cut's
    parts and held on disk until the customer cut's part that reads them asks for its own
    (``entrepot.routed_rows``, ADR 0119): no array of the whole table is held. Use as a
    context manager."""

    def __init__(self, parts: Sequence[np.ndarray], total: int) -> None:
        """``parts``: the customer cut's parts' rows (table positions, in each part's
        order), together every row of the ``total`` once; read again as each part is
        given its features."""
        # a row's part in a byte under 256 parts; its place in the part is found as the
        # part is given its rows (at 20M rows, 80 MB less while the counterparty parts are made)
        from entrepot.fraud.score.partitions import part_number_dtype

        owner = np.empty(total, dtype=part_number_dtype(len(parts)))
        for number, rows in enumerate(parts):
            owner[rows] = number
        self._owner: np.ndarray | None = owner
        self._rows = parts
        self._parts = len(parts)
        self._names: list[tuple[str, ...]] = []
        self._routed: list[RoutedRows] = []

    def __enter__(self) -> RoutedMade:
        return self

    def __exit__(self, *exc: object) -> None:
        for routed in self._routed:
            routed.close()

    def seal(self) -> None:
        """Every counterparty part is put: the rows' owners are let go (a byte a row of the
        table, held otherwise while every customer part scores); a later :meth:`put` is an
        error."""
        self._owner = None
        for routed in self._routed:
            routed.seal()

    def put(self, made: Sequence[Made], rows: np.ndarray) -> None:
        """One counterparty part's features (each member's, of its ``rows``: table
        positions), routed to the parts that read them."""
        if self._owner is None:
            raise ValueError("counterparty features put after the cut was sealed")
        if not self._routed:
            self._names = [found.names for found in made]
            self._routed = [
                RoutedRows(self._owner, self._parts, len(found.names)) for found in made
            ]
        for found, names, routed in zip(made, self._names, self._routed, strict=True):
            if found.names != names:
                raise ValueError("the parts made different counterparty features")
            routed.put(rows, found.values)

    def given(self, part: int) -> list[dict[str, np.ndarray]]:
        """Each member's counterparty features of the customer cut's part ``part``, in its
        order, by name: what :func:`~entrepot.fraud.score.scoring.score` is ``given``."""
        found = []
        rows = self._rows[part]
        for names, routed in zip(self._names, self._routed, strict=True):
            values = routed.part(part, rows)
            found.append({name: np.ascontiguousarray(values[:, j]) for j, name in enumerate(names)})
        return found
