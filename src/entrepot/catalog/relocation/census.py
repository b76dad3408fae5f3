"""Objects and bytes counted for a store move's estimate and dry run: per kind, per store
holding them, quarantined, already at the destination; and the bytes a provider bills."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from entrepot.catalog.objects.records import ObjectState
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.catalog.relocation.placement import folder_range, resolved_store
from entrepot.catalog.relocation.records import Tally
from entrepot.catalog.relocation.tables import ObjectLocationRow


def by_kind(session: Session, folder: str) -> dict[str, Tally]:
    """Stored objects under ``folder`` per kind."""
    found = _grouped(session, ObjectRow.kind, _in_scope(folder, ObjectState.STORED))
    return {str(kind): tally for kind, tally in found.items()}


def by_store(session: Session, folder: str, home_id: int) -> dict[int, Tally]:
    """Stored objects under ``folder`` per id of the store holding them."""
    where = _in_scope(folder, ObjectState.STORED)
    found = _grouped(session, resolved_store(home_id), where, located=True)
    return {int(store): tally for store, tally in found.items()}


def at_store(session: Session, folder: str, home_id: int, store_id: int) -> Tally:
    """Stored objects under ``folder`` held by the store ``store_id``."""
    where = [*_in_scope(folder, ObjectState.STORED), resolved_store(home_id) == store_id]
    found = _grouped(session, resolved_store(home_id), where, located=True)
    return sum(found.values(), Tally())


def stored_at(session: Session, home_id: int, store_id: int) -> Iterator[tuple[str, int]]:
    """``(key, size)`` of every stored object the store ``store_id`` holds, in key order."""
    query = (
        select(ObjectRow.key, ObjectRow.size)
        .outerjoin(ObjectLocationRow, ObjectLocationRow.object_id == ObjectRow.id)
        .where(ObjectRow.state == ObjectState.STORED.value, resolved_store(home_id) == store_id)
        .order_by(ObjectRow.key)
    )
    for key, size in session.execute(query):
        yield str(key), int(size)


def quarantined(session: Session, folder: str) -> Tally:
    """Quarantined objects under ``folder``."""
    found = _grouped(session, ObjectRow.state, _in_scope(folder, ObjectState.QUARANTINED))
    return sum(found.values(), Tally())


def billable_bytes(session: Session, folder: str, minimum: int) -> int:
    """Bytes of the stored objects under ``folder``, each counted as at least ``minimum``."""
    size = case((ObjectRow.size < minimum, minimum), else_=ObjectRow.size)
    where = _in_scope(folder, ObjectState.STORED)
    total = session.scalar(select(func.coalesce(func.sum(size), 0)).where(*where))
    return int(total or 0)


def _in_scope(folder: str, state: ObjectState) -> list[ColumnElement[bool]]:
    return [*folder_range(folder), ObjectRow.state == state.value]


def _grouped(
    session: Session,
    column: Any,
    where: Sequence[ColumnElement[bool]],
    *,
    located: bool = False,
) -> dict[Any, Tally]:
    """Objects and bytes per value of ``column`` among the rows matching ``where``."""
    query = select(column, func.count(), func.coalesce(func.sum(ObjectRow.size), 0)).select_from(
        ObjectRow
    )
    if located:
        query = query.outerjoin(ObjectLocationRow, ObjectLocationRow.object_id == ObjectRow.id)
    rows = session.execute(query.where(*where).group_by(column))
    return {group: Tally(int(n), int(b)) for group, n, b in rows}
