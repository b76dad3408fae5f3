"""Garbage collection on the in-memory store and a SQLite catalog.

``tests/integration`` runs this class on PostgreSQL by subclassing it; it takes an
``engine`` fixture (a migrated, empty catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import UnitOfWork, unit_of_work_factory
from entrepot.errors import InvalidKey
from entrepot.services.gc import GcReport, collect_garbage, managed_folders
from entrepot.services.objects import ObjectService
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine

GRACE = timedelta(hours=1)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def later() -> datetime:
    """A moment past the grace period of everything written so far."""
    return datetime.now(UTC) + GRACE + timedelta(minutes=1)


class TestCollectGarbage:
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()

    @pytest.fixture
    def uow_factory(self, engine: Engine) -> Callable[[], UnitOfWork]:
        return unit_of_work_factory(engine)

    @pytest.fixture
    def gc(
        self, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]
    ) -> Callable[..., GcReport]:
        def run(**options: object) -> GcReport:
            arguments: dict[str, object] = {"grace": GRACE, "dry_run": False, "now": later()}
            arguments.update(options)
            return collect_garbage(store, uow_factory, **arguments)  # type: ignore[arg-type]

        return run

    @pytest.fixture
    def objects(self, store: MemoryStore, uow_factory: Callable[[], UnitOfWork]) -> ObjectService:
        return ObjectService(store, uow_factory)

    def test_removes_only_unrecorded_objects(
        self, gc: Callable[..., GcReport], store: MemoryStore, objects: ObjectService
    ) -> None:
        objects.put("models/kept", b"recorded", owner=None, kind="model-file")
        store.put("models/orphan", b"crash leftover")
        report = gc(prefixes=["models"])
        assert [(c.key, c.size) for c in report.candidates] == [("models/orphan", 14)]
        assert (report.deleted, report.bytes, report.dry_run) == (1, 14, False)
        assert store.exists("models/kept")
        assert not store.exists("models/orphan")

    def test_dry_run_deletes_nothing(self, gc: Callable[..., GcReport], store: MemoryStore) -> None:
        store.put("models/orphan", b"crash leftover")
        report = gc(prefixes=["models"], dry_run=True)
        assert [c.key for c in report.candidates] == ["models/orphan"]
        assert report.candidates[0].modified == store.head("models/orphan").modified
        assert (report.deleted, report.bytes, report.dry_run) == (0, 14, True)
        assert store.exists("models/orphan")

    def test_objects_younger_than_the_grace_period_are_kept(
        self, gc: Callable[..., GcReport], store: MemoryStore
    ) -> None:
        store.put("models/in-flight", b"row not committed yet")
        report = gc(prefixes=["models"], now=datetime.now(UTC) + GRACE - timedelta(minutes=1))
        assert report.candidates == ()
        assert store.exists("models/in-flight")

    def test_keys_outside_the_prefixes_are_never_touched(
        self, gc: Callable[..., GcReport], store: MemoryStore
    ) -> None:
        store.put("raw/placed-by-hand.csv", b"x")
        store.put("models/orphan", b"x")
        report = gc(prefixes=["models/"])
        assert [c.key for c in report.candidates] == ["models/orphan"]
        assert store.exists("raw/placed-by-hand.csv")

    def test_v1_does_not_cover_v10(self, gc: Callable[..., GcReport], store: MemoryStore) -> None:
        store.put("models/v1/orphan", b"x")
        store.put("models/v10/orphan", b"x")
        report = gc(prefixes=["models/v1"])
        assert [c.key for c in report.candidates] == ["models/v1/orphan"]
        assert store.exists("models/v10/orphan")

    def test_walks_many_batches(
        self, gc: Callable[..., GcReport], store: MemoryStore, objects: ObjectService
    ) -> None:
        orphans = set()
        for i in range(10):
            if i % 3 == 0:
                objects.put(f"data/{i:02d}", b"kept", owner=None, kind="dataset")
            else:
                store.put(f"data/{i:02d}", b"orphan")
                orphans.add(f"data/{i:02d}")
        report = gc(prefixes=["data"], batch_size=3)
        assert {c.key for c in report.candidates} == orphans
        assert report.deleted == len(orphans)
        assert {i.key for i in store.list("data")} == {"data/00", "data/03", "data/06", "data/09"}

    def test_overlapping_prefixes_are_scanned_once(
        self, gc: Callable[..., GcReport], store: MemoryStore
    ) -> None:
        store.put("models/v1/orphan", b"x")
        report = gc(prefixes=["models/v1", "models", "models/"])
        assert [c.key for c in report.candidates] == ["models/v1/orphan"]
        assert report.deleted == 1

    def test_refuses_unsafe_arguments(self, gc: Callable[..., GcReport]) -> None:
        with pytest.raises(ValueError, match="managed prefix"):
            gc(prefixes=[])
        with pytest.raises(ValueError, match="negative"):
            gc(prefixes=["models"], grace=timedelta(seconds=-1))
        with pytest.raises(ValueError, match="timezone"):
            gc(prefixes=["models"], now=datetime.now())
        with pytest.raises(InvalidKey):
            gc(prefixes=["../etc"])


@pytest.mark.parametrize(
    ("prefixes", "folders"),
    [
        (["models", "models/v1", "datasets/"], ("datasets/", "models/")),
        (["models/v1", "models/v10"], ("models/v1/", "models/v10/")),
        (["", "models"], ("",)),
        ([], ()),
    ],
)
def test_managed_folders(prefixes: list[str], folders: tuple[str, ...]) -> None:
    assert managed_folders(prefixes) == folders
