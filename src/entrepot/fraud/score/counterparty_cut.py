"""A table scored over parts in two cuts, each row read once in each (issue 40, items 3
and 5; ADR 0104).

A row's customer features read its customer's earlier rows alone, its counterparty
features (a terminal's counts and fraud rate) its counterparty's alone
(``entrepot.fraud.model.behaviour``). One cut by customer must give each part every row
of every counterparty its customers used (``entrepot.fraud.score.partitions
.cut_by_entity``): where terminals are shared by all customers, nearly the whole table in
every part. So the table is cut twice instead. Cut by counterparty groups, each part
makes its rows' counterparty features (:func:`counterparty_columns`); they are put back
in the table's order (:func:`merge_made`); cut by customer groups, each part makes the
rest of its rows' features, is given their counterparty features (:func:`given_rows`)
and scores them. Each part holds about the table's rows over the parts, in both cuts,
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

    reader = ColumnReader(frame.reset_index(drop=True).rename(columns=str))
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


def merge_made(
    made: Sequence[Sequence[Made]], rows: Sequence[np.ndarray], total: int
) -> list[Made]:
    """The parts' counterparty features (each part's, of its ``rows``: table positions)
    as the whole table's, in its order."""
    merged = []
    for m, first in enumerate(made[0]):
        values = np.empty((total, len(first.names)))
        for found, where in zip(made, rows, strict=True):
            if found[m].names != first.names:
                raise ValueError("the parts made different counterparty features")
            values[where] = found[m].values
        merged.append(Made(first.names, values))
    return merged


def given_rows(merged: Sequence[Made], rows: np.ndarray) -> list[dict[str, np.ndarray]]:
    """Each member's counterparty features of ``rows`` (table positions, in order), by
    name: what :func:`~entrepot.fraud.score.scoring.score` is ``given``."""
    return [
        {name: np.ascontiguousarray(made.values[rows, j]) for j, name in enumerate(made.names)}
        for made in merged
    ]
