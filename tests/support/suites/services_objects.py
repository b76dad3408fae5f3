"""The write protocol on the in-memory store and a SQLite catalog.

``tests/integration`` runs this class on PostgreSQL by subclassing it; it takes an
``engine`` fixture (a migrated, empty catalog).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from entrepot.catalog.objects.records import ObjectState
from entrepot.catalog.uow import (
    UnitOfWork,
    session_factory,
    unit_of_work_factory,
)
from entrepot.errors import (
    CatalogError,
    IntegrityError,
    ObjectExists,
    ObjectNotFound,
    RecordNotFound,
    StoreUnavailable,
)
from entrepot.services.gc import collect_garbage
from entrepot.services.objects import ObjectService
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


class CrashingUnitOfWork(UnitOfWork):
    """A real unit of work whose process 'dies' at commit: the transaction never lands."""

    def commit(self) -> None:
        raise ConnectionResetError("simulated crash before the commit reached the database")


class UnreachableOnDelete(MemoryStore):
    """A memory store whose deletes fail as an unreachable endpoint would."""

    def _delete(self, key: str) -> bool:
        raise StoreUnavailable("endpoint unreachable", key=key, store=self.url)


class TestObjectService:
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()

    @pytest.fixture
    def uow_factory(self, engine: Engine) -> Callable[[], UnitOfWork]:
        return unit_of_work_factory(engine)

    @pytest.fixture
    def service(self, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]) -> ObjectService:
        return ObjectService(store, uow_factory)

    def test_put_writes_the_object_then_records_it(
        self, service: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        record = service.put(
            "datasets/a.csv", b"a,b\n1,2\n", owner="u1", kind="dataset", content_type="text/csv"
        )
        info = store.head("datasets/a.csv")
        assert (record.sha256, record.size) == (info.sha256, info.size)
        assert record.sha256 == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
        assert info.content_type == "text/csv"
        with uow_factory() as uow:
            assert uow.objects.get("datasets/a.csv") == record
        assert service.record("datasets/a.csv") == record
        assert service.expected_sha256("datasets/a.csv") == record.sha256
        assert service.expected_sha256("datasets/unrecorded.csv") is None

    def test_put_accepts_chunks(self, service: ObjectService) -> None:
        record = service.put("a/chunks", iter([b"ab", b"cd"]), owner=None, kind="report")
        assert service.get("a/chunks") == b"abcd"
        assert record.size == 4

    def test_keys_are_write_once(
        self, service: ObjectService, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        first = service.put("a/1", b"first", owner="u1", kind="dataset")
        with pytest.raises(ObjectExists):
            service.put("a/1", b"second", owner="u2", kind="dataset")
        assert service.get("a/1") == b"first"
        with uow_factory() as uow:
            assert uow.objects.get("a/1") == first

    def test_a_refused_row_takes_its_object_back(
        self, service: ObjectService, store: MemoryStore
    ) -> None:
        with pytest.raises(ValueError, match="kind"):
            service.put("a/1", b"payload", owner=None, kind="Not A Kind")
        assert not store.exists("a/1")

    def test_a_key_recorded_without_its_object_is_not_overwritten(
        self, service: ObjectService, store: MemoryStore
    ) -> None:
        first = service.put("a/1", b"first", owner=None, kind="dataset")
        store.delete("a/1")  # lost behind the catalog's back: `entrepot verify` reports it
        with pytest.raises(CatalogError, match="already"):
            service.put("a/1", b"second", owner=None, kind="dataset")
        assert not store.exists("a/1")
        assert service.record("a/1") == first

    def test_a_crash_before_commit_leaves_garbage_never_a_row(
        self, engine: Engine, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        sessions = session_factory(engine)
        crashing = ObjectService(store, lambda: CrashingUnitOfWork(sessions))
        with pytest.raises(ConnectionResetError):
            crashing.put("models/m/1/model.bin", b"weights", owner="u1", kind="model-file")
        assert store.exists("models/m/1/model.bin")
        with uow_factory() as uow:
            assert uow.objects.find("models/m/1/model.bin") is None

        written = datetime.now(UTC)
        early = collect_garbage(
            store, uow_factory, prefixes=["models"], grace=timedelta(hours=1), dry_run=False
        )
        assert early.candidates == ()
        assert store.exists("models/m/1/model.bin")
        late = collect_garbage(
            store,
            uow_factory,
            prefixes=["models"],
            grace=timedelta(hours=1),
            dry_run=False,
            now=written + timedelta(hours=1, minutes=1),
        )
        assert [c.key for c in late.candidates] == ["models/m/1/model.bin"]
        assert (late.deleted, late.bytes) == (1, len(b"weights"))
        assert not store.exists("models/m/1/model.bin")

    def test_get_checks_the_catalog_sha256_not_only_the_store_one(
        self, service: ObjectService, engine: Engine
    ) -> None:
        service.put("a/1", b"payload", owner=None, kind="dataset")
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE objects SET sha256 = :sha WHERE key = 'a/1'"),
                {"sha": hashlib.sha256(b"other").hexdigest()},
            )
        with pytest.raises(IntegrityError, match="catalog") as caught:
            service.get("a/1")
        assert caught.value.key == "a/1"

    def test_get_checks_the_catalog_size(self, service: ObjectService, engine: Engine) -> None:
        service.put("a/1", b"payload", owner=None, kind="dataset")
        with engine.begin() as connection:
            connection.execute(text("UPDATE objects SET size = 3 WHERE key = 'a/1'"))
        with pytest.raises(IntegrityError, match="3 bytes"):
            service.get("a/1")

    def test_get_detects_corrupted_bytes(self, service: ObjectService, store: MemoryStore) -> None:
        service.put("a/1", b"payload", owner=None, kind="dataset")
        store.corrupt("a/1", b"pAyload")
        with pytest.raises(IntegrityError):
            service.get("a/1")

    def test_get_refuses_a_quarantined_object(
        self, service: ObjectService, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        service.put("a/1", b"payload", owner=None, kind="dataset")
        with uow_factory() as uow:
            uow.objects.set_state("a/1", ObjectState.QUARANTINED)
            uow.commit()
        with pytest.raises(IntegrityError, match="quarantined"):
            service.iter_bytes("a/1")

    def test_get_of_an_unrecorded_key_raises_record_not_found(
        self, service: ObjectService, store: MemoryStore
    ) -> None:
        store.put("hand/placed.csv", b"x")
        with pytest.raises(RecordNotFound):
            service.get("hand/placed.csv")

    def test_delete_removes_the_row_then_the_object(
        self, service: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        added = service.put("a/1", b"payload", owner=None, kind="dataset")
        assert service.delete("a/1") == added
        assert not store.exists("a/1")
        with uow_factory() as uow:
            assert uow.objects.find("a/1") is None
        with pytest.raises(RecordNotFound):
            service.delete("a/1")

    def test_delete_of_an_unrecorded_key_leaves_the_store_alone(
        self, service: ObjectService, store: MemoryStore
    ) -> None:
        store.put("hand/placed.csv", b"x")
        with pytest.raises(RecordNotFound):
            service.delete("hand/placed.csv")
        assert store.exists("hand/placed.csv")

    def test_a_failed_object_delete_leaves_garbage_never_a_dangling_row(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        store = UnreachableOnDelete()
        service = ObjectService(store, uow_factory)
        service.put("a/1", b"payload", owner=None, kind="dataset")
        with pytest.raises(StoreUnavailable):
            service.delete("a/1")
        assert store.exists("a/1")
        with uow_factory() as uow:
            assert uow.objects.find("a/1") is None

    def test_a_row_whose_object_vanished_reads_as_missing(
        self, service: ObjectService, store: MemoryStore
    ) -> None:
        service.put("a/1", b"payload", owner=None, kind="dataset")
        store.delete("a/1")
        with pytest.raises(ObjectNotFound):
            service.get("a/1")
