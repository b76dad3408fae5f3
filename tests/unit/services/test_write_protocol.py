"""The write protocol with the caller's own rows (a dataset, a prediction, a model version):
one unit of work for the object rows and theirs, the objects removed when the rows are
refused before the commit, kept for `gc` when the commit itself fails."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.uow import UnitOfWork, session_factory, unit_of_work_factory
from entrepot.errors import IntegrityError, RecordExists
from entrepot.services.write_protocol import Written, record_put, record_written
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.suites.services_objects import CrashingUnitOfWork

Factory = Callable[[], UnitOfWork]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


@pytest.fixture
def uow(engine: Engine) -> Factory:
    return unit_of_work_factory(engine)


def _put(store: MemoryStore, key: str, data: bytes) -> Written:
    return Written.stored(key, store.put(key, data, if_absent=True), kind="dataset", owner="7")


def _keys(uow: Factory) -> list[str]:
    with uow() as unit:
        return sorted(r.key for r in unit.objects.list())


def test_the_callers_row_lands_with_the_object_rows(uow: Factory) -> None:
    store = MemoryStore()
    written = [_put(store, "users/7/a.csv", b"a"), _put(store, "users/7/b.csv", b"bb")]
    seen: list[tuple[str, ...]] = []

    def rows(unit: UnitOfWork, records: tuple[ObjectRecord, ...]) -> int:
        seen.append(tuple(r.key for r in records))
        assert unit.objects.find("users/7/a.csv") is not None  # the same unit of work
        return len(records)

    assert record_written(uow, written, rows) == 2
    assert seen == [("users/7/a.csv", "users/7/b.csv")]
    assert _keys(uow) == ["users/7/a.csv", "users/7/b.csv"]


def test_a_refused_row_removes_the_objects_and_records_nothing(uow: Factory) -> None:
    store = MemoryStore()
    written = [_put(store, "users/7/a.csv", b"a")]

    def refused(_unit: UnitOfWork, _records: tuple[ObjectRecord, ...]) -> None:
        raise RecordExists("a dataset with that id exists")

    with pytest.raises(RecordExists):
        record_written(uow, written, refused, remove=lambda: store.delete("users/7/a.csv"))
    assert _keys(uow) == []
    assert not store.exists("users/7/a.csv")


def test_a_failed_commit_keeps_the_object_for_gc(engine: Engine) -> None:
    store = MemoryStore()
    written = [_put(store, "users/7/a.csv", b"a")]
    sessions = session_factory(engine)

    with pytest.raises(ConnectionResetError):
        record_written(
            lambda: CrashingUnitOfWork(sessions),
            written,
            lambda _u, records: records,
            remove=lambda: store.delete("users/7/a.csv"),
        )
    assert store.exists("users/7/a.csv")  # the commit may have landed: gc decides later
    assert _keys(unit_of_work_factory(engine)) == []


def test_bytes_that_differ_from_what_was_written_are_removed_unrecorded(uow: Factory) -> None:
    store = MemoryStore()
    info = store.put("users/7/a.csv", b"what the store got", if_absent=True)
    sent = (hashlib.sha256(b"what was sent").hexdigest(), len(b"what was sent"))
    with pytest.raises(IntegrityError, match="differ"):
        record_put(
            uow,
            "users/7/a.csv",
            info,
            lambda _u, records: records,
            kind="dataset",
            owner="7",
            remove=lambda: store.delete("users/7/a.csv"),
            expected=sent,
        )
    assert not store.exists("users/7/a.csv")
    assert _keys(uow) == []
