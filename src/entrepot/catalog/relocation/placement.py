"""Which store holds each object: the ``stores`` and ``object_locations`` tables.

An object without a location row is in the configured store, called *home* here; every
function that resolves a location takes home's store id for that case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, Connection, Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.objects.tables import ObjectRow
from entrepot.catalog.relocation.records import Tally
from entrepot.catalog.relocation.tables import ObjectLocationRow, StoreRow

#: How many ids go into one ``IN (...)``.
IDS_PER_QUERY = 500
_LOCATIONS = cast(Table, ObjectLocationRow.__table__)


def store_id(session: Session, url: str) -> int:
    """The id of the store named ``url``, recorded now if it is new."""
    found = session.scalar(select(StoreRow.id).where(StoreRow.url == url))
    if found is not None:
        return int(found)
    try:
        with session.begin_nested():
            session.execute(insert(StoreRow).values(url=url))
    except SqlIntegrityError:  # another process recorded it first
        pass
    return int(session.scalars(select(StoreRow.id).where(StoreRow.url == url)).one())


def store_urls(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The URL of each store id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(StoreRow.id, StoreRow.url).where(StoreRow.id.in_(wanted)))
    return {int(i): str(u) for i, u in rows}


def location_url(session: Session | Connection, key: str) -> str | None:
    """The URL of the store holding ``key``, or ``None`` if it is home (or not recorded)."""
    query = (
        select(StoreRow.url)
        .join(ObjectLocationRow, ObjectLocationRow.store_id == StoreRow.id)
        .join(ObjectRow, ObjectRow.id == ObjectLocationRow.object_id)
        .where(ObjectRow.key == key)
    )
    found = session.scalar(query)
    return None if found is None else str(found)


class LocationReads:
    """Where objects are: the read-only unit of work's ``locations``."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def url_of(self, key: str) -> str | None:
        """The URL of the store holding ``key``, or ``None`` if it is home (or not recorded)."""
        return location_url(self._connection, key)


def resolved_store(home_id: int) -> ColumnElement[int]:
    """A column expression: the store holding an ``objects`` row (joined outer with its
    location), home when it has no location row."""
    return func.coalesce(ObjectLocationRow.store_id, home_id)


def set_locations(session: Session, object_ids: Sequence[int], target: int | None) -> None:
    """Point ``object_ids`` at store ``target`` (``None``: home, i.e. no location row)."""
    for start in range(0, len(object_ids), IDS_PER_QUERY):
        chunk = list(object_ids[start : start + IDS_PER_QUERY])
        session.execute(delete(ObjectLocationRow).where(ObjectLocationRow.object_id.in_(chunk)))
        if target is not None and chunk:
            session.execute(
                insert(_LOCATIONS),  # Core: no ORM bookkeeping per row
                [{"object_id": i, "store_id": target} for i in chunk],
            )


@dataclass(frozen=True, slots=True)
class RowState:
    """What the catalog says of an object now: its key, bytes and explicit location."""

    object_id: int
    key: str
    sha256: str
    size: int
    location: int | None


def row_states(session: Session, object_ids: Iterable[int], *, lock: bool) -> dict[int, RowState]:
    """The current state of each existing row among ``object_ids`` (locked for update on
    databases that lock rows, when ``lock``)."""
    wanted = sorted(set(object_ids))
    found: dict[int, RowState] = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        query = (
            select(
                ObjectRow.id,
                ObjectRow.key,
                ObjectRow.sha256,
                ObjectRow.size,
                ObjectLocationRow.store_id,
            )
            .outerjoin(ObjectLocationRow, ObjectLocationRow.object_id == ObjectRow.id)
            .where(ObjectRow.id.in_(wanted[start : start + IDS_PER_QUERY]))
        )
        if lock:
            query = query.with_for_update(of=ObjectRow)
        for oid, key, sha, size, location in session.execute(query):
            found[int(oid)] = RowState(int(oid), str(key), str(sha), int(size), location)
    return found


def pointing_at(session: Session, keys: Iterable[str], store: int, home_id: int) -> set[str]:
    """Which of ``keys`` a row records in ``store``: their objects there must not be
    deleted."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), IDS_PER_QUERY):
        query = (
            select(ObjectRow.key)
            .outerjoin(ObjectLocationRow, ObjectLocationRow.object_id == ObjectRow.id)
            .where(
                ObjectRow.key.in_(wanted[start : start + IDS_PER_QUERY]),
                resolved_store(home_id) == store,
            )
        )
        found.update(str(k) for k in session.scalars(query))
    return found


def by_location(session: Session, home_id: int) -> dict[int, Tally]:
    """Objects and bytes per store holding them (home included)."""
    where = resolved_store(home_id)
    query = (
        select(where, func.count(), func.coalesce(func.sum(ObjectRow.size), 0))
        .select_from(ObjectRow)
        .outerjoin(ObjectLocationRow, ObjectLocationRow.object_id == ObjectRow.id)
        .group_by(where)
    )
    return {int(s): Tally(int(n), int(b)) for s, n, b in session.execute(query)}


def folder_range(prefix: str) -> list[ColumnElement[bool]]:
    """Conditions selecting the keys under the folder ``prefix`` (``""``: every key)."""
    if not prefix:
        return []
    # Every key under "a/b/" sorts in ["a/b/", "a/b0"): "0" is the character after "/".
    return [ObjectRow.key >= prefix, ObjectRow.key < prefix[:-1] + "0"]


def find_store_id(session: Session, url: str) -> int | None:
    """The id of the store named ``url`` if the catalog recorded it (writes nothing)."""
    found = session.scalar(select(StoreRow.id).where(StoreRow.url == url))
    return None if found is None else int(found)
