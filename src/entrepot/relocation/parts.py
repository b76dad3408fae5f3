"""What every migration step works with: home, the store opener, the catalog, who acts."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from threading import Lock

from sqlalchemy.exc import SQLAlchemyError

from entrepot.catalog.relocation import journal
from entrepot.catalog.relocation.records import Item, ItemState, MigrationRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import EntrepotError
from entrepot.messages import N_, Message
from entrepot.relocation.errors import MigrationOpen, NoMigration
from entrepot.relocation.locations import StoreOpener
from entrepot.storage.protocols import Store

#: Journal rows read per catalog query.
PAGE = 1000
#: A runner whose heartbeat is older than this is taken over.
STALE_AFTER = timedelta(seconds=60)


def this_runner() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def runner_gone(runner: str) -> bool:
    """Whether ``runner`` (``host:pid``) is a process of this host that has ended."""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


@dataclass
class Context:
    """The collaborators of the migration steps."""

    #: The configured store: where objects without a location row are.
    home: Store
    opener: StoreOpener
    #: The catalog's units of work: every step's transaction is one of them.
    uow: UnitOfWorkFactory
    actor: str
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    runner: str = field(default_factory=this_runner)
    stale_after: timedelta = STALE_AFTER
    _opened: dict[str, Store] = field(default_factory=dict, repr=False)
    _lock: Lock = field(default_factory=Lock, repr=False)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """One unit of work (the journal is its ``journal``): committed if the block
        succeeds, rolled back otherwise."""
        with self.uow() as uow:
            yield uow
            uow.commit()

    def store(self, url: str) -> Store:
        """The store named ``url`` (home itself for home's URL), opened once."""
        if url == self.home.url:
            return self.home
        with self._lock:
            if url not in self._opened:
                self._opened[url] = self.opener(url)
            return self._opened[url]

    def home_id(self, uow: UnitOfWork) -> int:
        """Home's store id (recorded on first use)."""
        return uow.journal.store_id(self.home.url)

    def open_migration(self) -> MigrationRecord:
        """The open migration; raises :class:`NoMigration`."""
        with self.unit() as uow:
            found = uow.journal.open_migration()
        if found is None:
            raise NoMigration(
                "no store migration is open", said=Message(N_("error.relocation.no_migration"))
            )
        return found

    @contextmanager
    def claimed(self, migration: MigrationRecord) -> Iterator[None]:
        """Hold the migration for this process for the block (heartbeat on claim)."""
        try:
            with self.unit() as uow:
                uow.journal.claim(
                    migration.id,
                    runner=self.runner,
                    now=self.clock(),
                    stale_after=self.stale_after,
                    is_gone=runner_gone,
                )
        except journal.JournalBusy as exc:
            raise MigrationOpen(
                exc.message,
                hint=exc.hint,
                said=exc.said
                or Message(N_("error.relocation.being_worked_on"), {"id": migration.id}),
            ) from None
        try:
            yield
        finally:  # if this fails too, the stale heartbeat frees the migration
            with suppress(SQLAlchemyError, EntrepotError), self.unit() as uow:
                uow.journal.release(migration.id, self.runner)

    def items(self, migration: MigrationRecord, state: ItemState) -> Iterator[Item]:
        """Every item of ``migration`` in ``state``, read a page at a time (items that
        leave the state meanwhile are not read twice)."""
        after = 0
        while True:
            with self.unit() as uow:
                found = uow.journal.page(migration.id, state, after=after, limit=PAGE)
            yield from found
            if len(found) < PAGE:
                return
            after = found[-1].id

    def beat(self, migration: MigrationRecord) -> None:
        """Refresh this runner's heartbeat."""
        with self.unit() as uow:
            uow.journal.beat(migration.id, self.runner, self.clock())
