"""The store move's journal as one repository over a unit of work's session (ADR 0079).

The journal's queries (``journal.py`` the migration rows, ``journal_items.py`` their items'
progress, ``journal_queue.py`` what a migration journals), the census of what a move
concerns (``census.py``) and where objects are (``placement.py``) are functions over a
session; a store move reaches them only through ``uow.journal``, so they commit with the
rest of its unit of work and no code outside the catalog holds a session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from entrepot.catalog.relocation import census, journal, journal_items, journal_queue, placement
from entrepot.catalog.relocation.journal_queue import Candidate, Listed
from entrepot.catalog.relocation.placement import RowState
from entrepot.catalog.relocation.records import (
    Item,
    ItemState,
    MigrationRecord,
    MigrationState,
    Tally,
)


class JournalRepository:
    """The store move's journal, census and placement over one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open_migration(self) -> MigrationRecord | None:
        """The open migration, if any."""
        return journal.open_migration(self._session)

    def last_migration(self) -> MigrationRecord | None:
        """The migration created last, open or not."""
        return journal.last_migration(self._session)

    def create(
        self, *, destination_id: int, prefix: str, actor: str, now: datetime
    ) -> MigrationRecord:
        """Open a migration; raises :class:`JournalBusy` if one is open already."""
        return journal.create(
            self._session, destination_id=destination_id, prefix=prefix, actor=actor, now=now
        )

    def claim(
        self,
        migration_id: int,
        *,
        runner: str,
        now: datetime,
        stale_after: timedelta,
        is_gone: Callable[[str], bool],
    ) -> None:
        """Make ``runner`` the one process working on the migration; raises :class:`JournalBusy`
        while another live runner holds it. A runner is taken over once its heartbeat is older
        than ``stale_after``, or when ``is_gone(runner)`` says its process has ended."""
        return journal.claim(
            self._session,
            migration_id,
            runner=runner,
            now=now,
            stale_after=stale_after,
            is_gone=is_gone,
        )

    def beat(self, migration_id: int, runner: str, now: datetime) -> None:
        """Record that ``runner`` is still working."""
        return journal.beat(self._session, migration_id, runner, now)

    def release(self, migration_id: int, runner: str) -> None:
        """``runner`` stops working on the migration."""
        return journal.release(self._session, migration_id, runner)

    def set_state(self, migration_id: int, state: MigrationState, now: datetime) -> None:
        """Move the migration to ``state``; a closed one frees the open slot."""
        return journal.set_state(self._session, migration_id, state, now)

    def store_of(self, migration_id: int) -> int:
        """The destination store id of a migration."""
        return journal.store_of(self._session, migration_id)

    def pin_at_home(self, home_id: int) -> int:
        """Give every object row that has no location row (quarantined objects, which never move,
        and those a forced finalize leaves behind) one naming home, so that they keep pointing
        where their bytes are once the configured store changes; returns how many."""
        return journal.pin_at_home(self._session, home_id)

    def retry_failed(self, migration_id: int, now: datetime) -> int:
        """Queue the failed items again; returns how many."""
        return journal_items.retry_failed(self._session, migration_id, now)

    def skip_deleted(self, migration_id: int, now: datetime) -> int:
        """Mark ``skipped`` the unfinished items whose object was deleted; returns how many."""
        return journal_items.skip_deleted(self._session, migration_id, now)

    def page(self, migration_id: int, state: ItemState, *, after: int, limit: int) -> list[Item]:
        """The next ``limit`` items in ``state`` with an id above ``after``."""
        return journal_items.page(self._session, migration_id, state, after=after, limit=limit)

    def mark(
        self, item_ids: Iterable[int], state: ItemState, now: datetime, error: str | None = None
    ) -> None:
        """Move these items to ``state`` (with the reason, for failures)."""
        return journal_items.mark(self._session, item_ids, state, now, error)

    def tally(self, migration_id: int) -> dict[ItemState, Tally]:
        """Objects and bytes per item state."""
        return journal_items.tally(self._session, migration_id)

    def errors(self, migration_id: int, limit: int = 20) -> list[tuple[str, str]]:
        """``(key, reason)`` of failed items, at most ``limit``."""
        return journal_items.errors(self._session, migration_id, limit)

    def close_unfinished(self, migration_id: int, now: datetime) -> int:
        """Mark ``rolled_back`` the items a rollback leaves as they are (pending or failed: their
        rows never moved); returns how many."""
        return journal_items.close_unfinished(self._session, migration_id, now)

    def candidates(
        self,
        *,
        prefix: str,
        home_id: int,
        destination_id: int,
        after: str | None,
        limit: int,
        unjournaled_in: int | None = None,
    ) -> list[Candidate]:
        """The next ``limit`` stored objects under ``prefix`` (key order, after ``after``) that are
        not at the destination (and, given a migration id, not journaled in it)."""
        return journal_queue.candidates(
            self._session,
            prefix=prefix,
            home_id=home_id,
            destination_id=destination_id,
            after=after,
            limit=limit,
            unjournaled_in=unjournaled_in,
        )

    def enqueue(
        self,
        migration: MigrationRecord,
        *,
        home_id: int,
        destination_id: int,
        after: str | None,
        limit: int,
        now: datetime,
    ) -> str | None:
        """Journal the next ``limit`` candidates not journaled yet as ``pending`` items; returns the
        last key read, ``None`` once the scope is exhausted."""
        return journal_queue.enqueue(
            self._session,
            migration,
            home_id=home_id,
            destination_id=destination_id,
            after=after,
            limit=limit,
            now=now,
        )

    def enqueue_listed(
        self, migration: MigrationRecord, found: Iterable[Listed], *, home_id: int, now: datetime
    ) -> int:
        """Journal as ``pending`` listed items those of ``found`` the migration has not journaled
        yet; returns how many."""
        return journal_queue.enqueue_listed(
            self._session, migration, found, home_id=home_id, now=now
        )

    def moved_listed(self, migration_id: int, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are listed items of the migration already at its destination."""
        return journal_queue.moved_listed(self._session, migration_id, keys)

    def by_kind(self, folder: str) -> dict[str, Tally]:
        """Stored objects under ``folder`` per kind."""
        return census.by_kind(self._session, folder)

    def by_store(self, folder: str, home_id: int) -> dict[int, Tally]:
        """Stored objects under ``folder`` per id of the store holding them."""
        return census.by_store(self._session, folder, home_id)

    def at_store(self, folder: str, home_id: int, store_id: int) -> Tally:
        """Stored objects under ``folder`` held by the store ``store_id``."""
        return census.at_store(self._session, folder, home_id, store_id)

    def stored_at(self, home_id: int, store_id: int) -> Iterator[tuple[str, int]]:
        """``(key, size)`` of every stored object the store ``store_id`` holds, in key order."""
        return census.stored_at(self._session, home_id, store_id)

    def quarantined(self, folder: str) -> Tally:
        """Quarantined objects under ``folder``."""
        return census.quarantined(self._session, folder)

    def billable_bytes(self, folder: str, minimum: int) -> int:
        """Bytes of the stored objects under ``folder``, each counted as at least ``minimum``."""
        return census.billable_bytes(self._session, folder, minimum)

    def store_id(self, url: str) -> int:
        """The id of the store named ``url``, recorded now if it is new."""
        return placement.store_id(self._session, url)

    def store_urls(self, ids: Iterable[int]) -> dict[int, str]:
        """The URL of each store id."""
        return placement.store_urls(self._session, ids)

    def location_url(self, key: str) -> str | None:
        """The URL of the store holding ``key``, or ``None`` if it is home (or not recorded)."""
        return placement.location_url(self._session, key)

    def set_locations(self, object_ids: Sequence[int], target: int | None) -> None:
        """Point ``object_ids`` at store ``target`` (``None``: home, i.e. no location row)."""
        return placement.set_locations(self._session, object_ids, target)

    def row_states(self, object_ids: Iterable[int], *, lock: bool) -> dict[int, RowState]:
        """The current state of each existing row among ``object_ids`` (locked for update on
        databases that lock rows, when ``lock``)."""
        return placement.row_states(self._session, object_ids, lock=lock)

    def pointing_at(self, keys: Iterable[str], store: int, home_id: int) -> set[str]:
        """Which of ``keys`` a row records in ``store``: their objects there must not be deleted."""
        return placement.pointing_at(self._session, keys, store, home_id)

    def by_location(self, home_id: int) -> dict[int, Tally]:
        """Objects and bytes per store holding them (home included)."""
        return placement.by_location(self._session, home_id)

    def find_store_id(self, url: str) -> int | None:
        """The id of the store named ``url`` if the catalog recorded it (writes nothing)."""
        return placement.find_store_id(self._session, url)
