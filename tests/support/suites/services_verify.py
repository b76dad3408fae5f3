"""Catalog verification on the in-memory store and a SQLite catalog.

``tests/integration`` runs this class on PostgreSQL by subclassing it; it takes an
``engine`` fixture (a migrated, empty catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from entrepot.catalog.uow import UnitOfWork, unit_of_work_factory
from entrepot.services.objects import ObjectService
from entrepot.services.verify import Problem, ProblemKind, verify_catalog
from entrepot.storage.memory import MemoryStore
from entrepot.storage.types import ObjectInfo
from tests.support.catalog import sqlite_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


class HeadOnly:
    """A store that can only answer ``head``."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner

    def head(self, key: str) -> ObjectInfo:
        return self._inner.head(key)

    def exists(self, key: str) -> bool:
        return self._inner.exists(key)


class TestVerifyCatalog:
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()

    @pytest.fixture
    def uow_factory(self, engine: Engine) -> Callable[[], UnitOfWork]:
        return unit_of_work_factory(engine)

    @pytest.fixture
    def objects(self, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]) -> ObjectService:
        service = ObjectService(store, uow_factory)
        for name in ("a", "b", "c"):
            service.put(f"data/{name}", name.encode() * 10, owner=None, kind="dataset")
        return service

    def test_a_clean_catalog_is_ok(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        for deep in (False, True):
            report = verify_catalog(store, uow_factory, deep=deep)
            assert report.ok
            assert (report.checked, report.problems, report.deep) == (3, (), deep)

    def test_an_empty_catalog_is_ok(
        self, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        report = verify_catalog(store, uow_factory)
        assert report.ok
        assert report.checked == 0

    def test_detects_a_missing_object(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        store.delete("data/b")
        report = verify_catalog(store, uow_factory)
        assert not report.ok
        assert [(p.key, p.kind) for p in report.problems] == [("data/b", ProblemKind.MISSING)]
        assert "no object" in report.problems[0].detail

    def test_detects_a_size_mismatch(
        self, objects: ObjectService, store: MemoryStore, engine: Engine
    ) -> None:
        with engine.begin() as connection:
            connection.execute(text("UPDATE objects SET size = 7 WHERE key = 'data/a'"))
        report = verify_catalog(store, unit_of_work_factory(engine))
        assert report.problems == (Problem("data/a", ProblemKind.SIZE_MISMATCH, "7", "10"),)

    def test_detects_a_sha256_mismatch(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        recorded = objects.record("data/c").sha256
        replaced = store.put("data/c", b"C" * 10)  # same size, replaced outside the catalog
        report = verify_catalog(store, uow_factory)
        assert report.problems == (
            Problem("data/c", ProblemKind.SHA256_MISMATCH, recorded, replaced.sha256),
        )
        assert recorded in str(report.problems[0])

    def test_only_deep_verification_sees_corrupted_bytes(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        store.corrupt("data/a", b"A" * 10)
        assert verify_catalog(store, uow_factory).ok
        report = verify_catalog(store, uow_factory, deep=True)
        assert [(p.key, p.kind) for p in report.problems] == [
            ("data/a", ProblemKind.CONTENT_MISMATCH)
        ]
        assert report.problems[0].expected == objects.record("data/a").sha256

    def test_reports_progress_after_each_object(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        calls: list[tuple[int, int]] = []
        report = verify_catalog(
            store, uow_factory, page_size=2, on_progress=lambda d, t: calls.append((d, t))
        )
        assert report.checked == 3
        assert calls == [(1, 3), (2, 3), (3, 3)]

    def test_prefix_limits_the_check(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        objects.put("other/x", b"x", owner=None, kind="dataset")
        store.delete("other/x")
        assert verify_catalog(store, uow_factory, prefix="data").ok
        assert verify_catalog(store, uow_factory, prefix="data").checked == 3
        assert not verify_catalog(store, uow_factory, prefix="other/").ok

    def test_deep_needs_a_store_that_reads(
        self, objects: ObjectService, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        head_only = HeadOnly(store)
        assert verify_catalog(head_only, uow_factory).ok
        with pytest.raises(TypeError, match="Get"):
            verify_catalog(head_only, uow_factory, deep=True)
