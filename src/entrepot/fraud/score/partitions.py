"""A scored table cut by entity and its scores merged back (issue 40, item 3; ADR 0086).

A row's features read the earlier rows of its own entities alone (its customer's, its
card's, its terminal's: ``entrepot.fraud.model.behaviour``), so a part that holds each of
its entities' whole history scores its rows to the same bits as the whole table. Where the
features read several entity columns, the rows that share any of their values form one
group (a connected component: a customer's rows and every row of the terminals it used),
so that no entity's history is split. Each group goes to the part a stable hash of it
names (``pandas.util.hash_pandas_object``: the same on every machine and under any
``PYTHONHASHSEED``), and the parts' scores are merged back in the table's row order
(``entrepot.fraud.score.merged_scores``).

The explained rows are the table's, explained once: each part offers its own most
probable rows up to the limit with their feature rows (a superset of the table's, ranked
the same way), and the merged table's ``explain_limit`` most probable rows alone are
explained, from those (:func:`candidate_rows`), as one process explains them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from entrepot.fraud.tables.piece_codes import code_dtype

if TYPE_CHECKING:
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.scoring import Candidates

#: Rows whose entity groups are hashed at a time (:func:`entity_parts`).
HASH_ROWS = 1 << 20


def entity_columns(ensemble: Ensemble, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The table's columns that any member's features read as an entity, in the table's
    order: its own (customer, card) and its counterparties' (terminal, merchant) that are
    not also its own."""
    own, around = role_columns(ensemble, columns)
    return own, [c for c in around if c not in own]


def part_columns(
    ensemble: Ensemble, id_columns: Sequence[str], columns: Sequence[str]
) -> list[str]:
    """The table's columns a scored part is sent, in its order: those the members read and
    the ``id_columns`` the scores carry (a file's other columns stay with the driver)."""
    read = {c for member in ensemble.members for c in member.mapping} | set(id_columns)
    return [c for c in columns if c in read]


def role_columns(ensemble: Ensemble, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The table's columns that any member reads as a customer, and those that any reads
    as a counterparty (a column may be both), in the table's order."""
    own: set[str] = set()
    around: set[str] = set()
    for member, model in zip(ensemble.members, ensemble.models, strict=True):
        spec = model.features.spec
        own.update(up for up, mine in member.mapping.items() if mine in spec.customers)
        around.update(up for up, mine in member.mapping.items() if mine in spec.counterparties)
    return [c for c in columns if c in own], [c for c in columns if c in around]


def entity_groups(
    frame: pd.DataFrame, columns: Sequence[str], *, coded: bool = False
) -> np.ndarray:
    """Each row's group: rows sharing a value of any of ``columns`` share a group (a
    missing value is a value too); the groups are numbered as the table first shows them.

    ``coded``: ``frame``'s columns are already their values' codes, numbered as the table
    first shows each value (``fraud.tables.piece_codes``, what ``pandas.factorize`` gives
    them): used as they are, not factorised again (at 20M rows a column's factorisation
    held 230 MB more, the peak of a scoring's cut)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    codes = []
    offset = 0
    # the codes in the narrowest type that numbers every column's values (four bytes a row
    # under 2**31: at 20M rows, 80 MB less a column; the groups' hash is the same)
    narrow = code_dtype(len(frame) * max(len(columns), 1))
    for column in columns:
        found, count = _codes(frame[column], coded)
        # the caller's codes never changed in place: copied where they are shifted
        found = found.astype(narrow, copy=bool(offset) and coded)
        if offset:
            found += offset  # in place: the codes held once
        codes.append(found)
        offset += count
    if len(codes) == 1:
        single: np.ndarray = codes[0]
        return single
    first = np.concatenate([codes[0]] * (len(codes) - 1))
    others = np.concatenate(codes[1:])
    links = coo_matrix((np.ones(len(first), dtype=np.int8), (first, others)), (offset, offset))
    _, component = connected_components(links, directed=False)
    groups: np.ndarray = component[codes[0]]
    return groups


def _codes(values: pd.Series, coded: bool) -> tuple[np.ndarray, int]:
    """A column's codes (equal values, equal codes, numbered as they first show) and how
    many values it holds: ``values`` as they are where they are codes already."""
    if coded:
        found = values.to_numpy()
        return found, int(found.max()) + 1 if len(found) else 0
    found, uniques = pd.factorize(values, use_na_sentinel=False)
    return found, len(uniques)


def entity_parts(
    frame: pd.DataFrame, columns: Sequence[str], parts: int, *, coded: bool = False
) -> np.ndarray:
    """Each row's part, ``0 ≤ part < parts``: a stable hash of its entity group, hashed
    :data:`HASH_ROWS` rows at a time (the hash's temporaries a slice's, not the table's:
    about 110 MiB less at 5M rows, the same parts); ``coded``: as :func:`entity_groups`."""
    groups = entity_groups(frame, columns, coded=coded)
    # a byte a row where the parts number under 256 (at 20M rows, 140 MB less than intp)
    cut = np.empty(len(groups), dtype=part_number_dtype(parts))
    for start in range(0, len(groups), HASH_ROWS):
        some = groups[start : start + HASH_ROWS]
        cut[start : start + len(some)] = group_parts(some, parts)
    return cut


def group_parts(groups: np.ndarray, parts: int) -> np.ndarray:
    """The part of each of ``groups`` (entity group numbers), ``0 ≤ part < parts``: a stable
    hash of its number (``pandas.util.hash_pandas_object``: the same on every machine,
    under any ``PYTHONHASHSEED`` and whatever the integer type that holds it)."""
    hashed = pd.util.hash_pandas_object(pd.Series(groups, copy=False), index=False).to_numpy()
    found: np.ndarray = (hashed % np.uint64(parts)).astype(part_number_dtype(parts))
    return found


@dataclass(frozen=True, slots=True)
class Part:
    """The rows a part scores (the table's positions, in its order, ``int32`` under 2**31
    rows) and which of them are its own: the others are its counterparties' rows, read for
    their history alone."""

    rows: np.ndarray
    own: np.ndarray

    def own_rows(self) -> np.ndarray:
        """The table's positions of the part's own rows, in its order: where its scores go."""
        own: np.ndarray = self.rows[self.own]
        return own


def part_number_dtype(parts: int) -> np.dtype:
    """The narrowest unsigned integer that numbers ``parts`` parts (a byte under 256): what
    each row's part is held in, over every row of the table."""
    return np.min_scalar_type(max(parts - 1, 0))


def cut_by_entity(
    frame: pd.DataFrame,
    own: Sequence[str],
    around: Sequence[str],
    parts: int,
    *,
    coded: bool = False,
) -> list[Part]:
    """The non-empty parts of ``frame``: its rows cut by their ``own`` entities' groups,
    each part with every row of the counterparties (``around``) its own rows name, so
    that each own row's counterparties' whole history is there too; ``coded``: ``frame``'s
    columns are their values' codes (:func:`entity_groups`)."""
    cut = entity_parts(frame, own, parts, coded=coded)
    found = []
    for part in range(parts):
        mine = cut == part
        if not mine.any():
            continue
        read = mine.copy()
        for column in around:
            values = frame[column]
            read |= values.isin(values[mine].unique()).to_numpy()
        # the row positions in four bytes under 2**31 rows, for each cut's parts and their
        # merged scores' places (at 20M rows, 240 MB less)
        rows = np.flatnonzero(read).astype(code_dtype(len(frame)), copy=False)
        found.append(Part(rows, mine[rows]))
    return found


def candidate_rows(
    candidates: Sequence[Candidates | None], parts: Sequence[Part], rows: np.ndarray
) -> list[np.ndarray]:
    """Each member's feature rows for ``rows`` (table positions), gathered from the parts'
    candidates: each part offered at least those of its own rows among the table's
    explained ones (its own most probable rows up to the same limit)."""
    which, at = _offered(candidates, parts, rows)
    members = len(next(c for c in candidates if c is not None).matrices)
    return [
        np.stack([_given(candidates, w).matrices[m][i] for w, i in zip(which, at, strict=True)])
        for m in range(members)
    ]


def candidate_table(
    candidates: Sequence[Candidates | None], parts: Sequence[Part], rows: np.ndarray
) -> pd.DataFrame:
    """The table's ``rows`` (table positions), in that order, gathered from the parts'
    candidates (each part's columns: those the members read and the id columns, all an
    explanation cites): the table itself is not needed to explain them."""
    which, at = _offered(candidates, parts, rows)
    pieces, order = [], []
    for number in np.unique(which).tolist():
        mine = np.flatnonzero(which == number)
        pieces.append(_given(candidates, number).table.take(at[mine]))
        order.append(mine)
    joined = pd.concat(pieces, ignore_index=True)
    place = np.empty(len(rows), dtype=np.intp)
    place[np.concatenate(order)] = np.arange(len(rows))
    return joined.take(place).reset_index(drop=True)


def _offered(
    candidates: Sequence[Candidates | None], parts: Sequence[Part], rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``rows`` (table positions), the number of the part whose candidates
    offered it and its place among them."""
    found: dict[int, tuple[int, int]] = {}
    for number, (offered, part) in enumerate(zip(candidates, parts, strict=True)):
        if offered is None:
            continue
        mine = part.own_rows()
        found.update((int(mine[local]), (number, i)) for i, local in enumerate(offered.rows))
    pairs = np.asarray([found[row] for row in rows.tolist()], dtype=np.intp).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def _given(candidates: Sequence[Candidates | None], number: int) -> Candidates:
    """The candidates part ``number`` offered (one that offered a row offered some)."""
    offered = candidates[number]
    if offered is None:
        raise ValueError(f"part {number} offered no candidates")
    return offered
