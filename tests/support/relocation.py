"""Stores and a catalog for store-move tests: a faulty memory store, and a world of
two stores over one catalog."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy import Engine, func, select, text

from entrepot.catalog.reads import read_only
from entrepot.catalog.relocation.tables import ObjectLocationRow
from entrepot.catalog.uow import session_factory, unit_of_work_factory
from entrepot.errors import AccessDenied, StoreUnavailable
from entrepot.relocation import (
    CatalogLocator,
    LocatedStore,
    StoreMigrations,
)
from entrepot.services.objects import ObjectService
from entrepot.services.verify import verify_catalog
from entrepot.storage.memory import MemoryStore
from entrepot.storage.protocols import Store
from entrepot.storage.types import Listing, ObjectInfo


class Faulty(MemoryStore):
    """A memory store that can refuse operations, or stop answering after N puts."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.puts = 0
        self.fail_after: int | None = None
        self.deny: set[str] = set()
        self.down = False

    def _gate(self, operation: str) -> None:
        if self.down:
            raise StoreUnavailable(f"{operation}: connection refused", store=self.url)
        if operation in self.deny:
            raise AccessDenied(f"{operation} refused", store=self.url)

    def _put(
        self,
        key: str,
        reader: BinaryIO,
        *,
        content_type: str | None,
        metadata: dict[str, str],
        if_absent: bool,
    ) -> ObjectInfo:
        self._gate("put")
        if self.fail_after is not None and self.puts >= self.fail_after:
            self.down = True
            self._gate("put")
        self.puts += 1
        return super()._put(
            key, reader, content_type=content_type, metadata=metadata, if_absent=if_absent
        )

    def _head(self, key: str) -> ObjectInfo:
        self._gate("head")
        return super()._head(key)

    def _open(self, key: str, chunk_size: int) -> tuple[ObjectInfo, Iterator[bytes]]:
        self._gate("get")
        return super()._open(key, chunk_size)

    def _read_all(self, key: str) -> tuple[ObjectInfo, bytes, str]:
        self._gate("get")
        return super()._read_all(key)

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        self._gate("list")
        return super()._list(prefix)

    def _ls(self, prefix: str) -> Listing:
        self._gate("list")
        return super()._ls(prefix)

    def _delete(self, key: str) -> bool:
        self._gate("delete")
        return super()._delete(key)


class World:
    """Home, a destination, the catalog, the app's object service and the migrations."""

    def __init__(self, engine: Engine, home: Store, destination: Store) -> None:
        self.engine = engine
        self.home, self.destination = home, destination
        self.stores = {home.url: home, destination.url: destination}
        self.sessions = session_factory(engine)
        self.uow = unit_of_work_factory(engine)
        self.located = LocatedStore(home, CatalogLocator(read_only(engine)), self.open)
        self.objects = ObjectService(self.located, self.uow)
        self.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
        self.migrations = self.service()

    def open(self, url: str) -> Store:
        return self.stores[url]

    def service(self, runner: str = "test-host:1") -> StoreMigrations:
        return StoreMigrations(
            self.home,
            self.open,
            self.uow,
            actor="tester",
            clock=lambda: self.now,
            runner=runner,
        )

    def seed(self, count: int = 30, prefix: str = "datasets") -> dict[str, bytes]:
        written = {}
        for i in range(count):
            key = f"{prefix}/file-{i:03d}.csv"
            data = f"row,{i}\n".encode() * (i + 1)
            self.objects.put(
                key,
                data,
                owner=str(i % 3),
                kind="dataset",
                content_type="text/csv",
                metadata={"source": f"seed-{i}"},
            )
            written[key] = data
        return written

    def locations(self) -> dict[str, str]:
        """key -> URL of the store holding it, for every object row."""
        with self.sessions() as session:
            keys = session.scalars(text("SELECT key FROM objects ORDER BY key")).all()
        return {key: self.located.store_for(key).url for key in keys}

    def location_rows(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(ObjectLocationRow)) or 0)

    def assert_every_row_verified(self) -> None:
        """The invariant: every row points at an object holding its exact bytes."""
        report = verify_catalog(self.located, self.uow, deep=True)
        assert report.ok, [str(p) for p in report.problems]
        assert report.checked > 0
