"""``entrepot doctor``'s checks: each store permission on its own, the migration level,
the job queue, and store migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import head, upgrade
from entrepot.health import (
    BoundedChecks,
    Check,
    check_database,
    check_folder,
    check_job_queue,
    check_store,
    check_store_roundtrip,
    probe_permissions,
)
from entrepot.relocation.doctor import check_locations
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.relocation import Faulty, World

NAMES = ["store list", "store put", "store head", "store get", "store delete"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


class TestPermissions:
    def test_a_healthy_store_passes_each_probe_and_keeps_nothing(self) -> None:
        store = MemoryStore()
        checks = probe_permissions(store)
        assert [(c.name, c.ok) for c in checks] == [(n, True) for n in NAMES]
        assert list(store.list()) == []
        assert [c.name for c in check_store(store)] == NAMES

    @pytest.mark.parametrize("denied", ["list", "put", "get", "delete"])
    def test_each_refusal_is_reported_on_its_own(self, denied: str) -> None:
        store = Faulty("s")
        store.deny.add(denied)
        checks = {c.name: c for c in probe_permissions(store)}
        assert not checks[f"store {denied}"].ok
        assert f"{denied} refused" in checks[f"store {denied}"].detail
        assert isinstance(checks[f"store {denied}"].error, PermissionError)
        others = [n for n in NAMES if n != f"store {denied}"]
        if denied == "put":  # nothing to read back or delete
            assert checks["store list"].ok
            assert all("not probed" in checks[n].detail for n in others[1:])
        else:
            assert all(checks[n].ok for n in others), [checks[n].detail for n in others]

    def test_an_unreachable_store_fails_every_probe(self) -> None:
        store = Faulty("s")
        store.down = True
        assert not any(c.ok for c in probe_permissions(store))


class TestMigrationLevel:
    def test_a_migrated_catalog(self, engine: Engine) -> None:
        check = check_database(engine)
        assert check.ok and head() in check.detail

    def test_a_catalog_behind_names_the_missing_revisions(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(engine, "0003")
        check = check_database(engine)
        assert not check.ok
        assert "schema at 0003" in check.detail
        assert "missing: 0004, 0005, 0006" in check.detail
        assert "entrepot db upgrade" in check.detail
        engine.dispose()

    def test_an_unreachable_database(self, tmp_path: Path) -> None:
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro" / "catalog.db").mkdir()  # a folder where the file should be
        engine = make_engine(f"sqlite:///{tmp_path / 'ro' / 'catalog.db'}")
        check = check_database(engine)
        assert not check.ok and "cannot connect" in check.detail


class TestJobQueue:
    def test_a_queue_that_answers(self) -> None:
        check = check_job_queue("redis redis://q:6379/0", lambda: 3)
        assert check.ok and check.detail == "redis redis://q:6379/0: 3 job(s) waiting"

    def test_a_queue_that_does_not(self) -> None:
        def down() -> int:
            raise ConnectionError("Connection refused")

        check = check_job_queue("redis redis://q:6379/0", down)
        assert not check.ok
        assert "ConnectionError: Connection refused" in check.detail


def test_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert not check_folder("cache folder", blocker / "cache").ok
    assert check_folder("cache folder", tmp_path / "cache").ok


class TestStoreLocations:
    @pytest.fixture
    def world(self, engine: Engine) -> World:
        return World(engine, Faulty("home"), Faulty("destination"))

    def test_nothing_elsewhere(self, world: World) -> None:
        world.seed(2)
        (check,) = check_locations(world.uow, world.home.url)
        assert check.ok and not check.warning
        assert "every object is in the configured store" in check.detail

    def test_an_open_migration_and_objects_elsewhere_warn(self, world: World) -> None:
        world.seed(3)
        world.migrations.migrate(world.destination.url)
        migration, located = check_locations(world.uow, world.home.url)
        assert migration.warning and "3 moved, 0 pending, 0 failed" in migration.detail
        assert located.warning and f"3 object(s) in {world.destination.url}" in located.detail

    def test_after_finalize_it_says_which_url_to_configure(self, world: World) -> None:
        world.seed(3)
        world.migrations.migrate(world.destination.url)
        world.migrations.finalize()
        (located,) = check_locations(world.uow, world.home.url)
        assert f"set ENTREPOT_STORE_URL={world.destination.url}" in located.detail
        (settled,) = check_locations(world.uow, world.destination.url)
        assert not settled.warning


class TestBoundedChecks:
    def test_an_answer_in_time_is_returned_and_reused_briefly(self) -> None:
        calls: list[int] = []
        now = [0.0]

        def check() -> Check:
            calls.append(1)
            return Check("store", True, "fine")

        bounded = BoundedChecks(5.0, reuse_for=2.0, clock=lambda: now[0])
        assert bounded.run("store", check).ok
        assert bounded.run("store", check).ok and len(calls) == 1
        now[0] = 3.0
        assert bounded.run("store", check).ok and len(calls) == 2

    def test_a_check_that_raises_is_reported(self) -> None:
        def check() -> Check:
            raise ConnectionError("refused")

        outcome = BoundedChecks(5.0).run("store", check)
        assert not outcome.ok and "ConnectionError: refused" in outcome.detail

    def test_a_frozen_check_fails_and_is_not_started_twice(self) -> None:
        release = threading.Event()
        started: list[int] = []

        def check() -> Check:
            started.append(1)
            release.wait()
            return Check("store", True, "late")

        bounded = BoundedChecks(0.2)
        try:
            first = bounded.run("store", check)
            second = bounded.run("store", check)
        finally:
            release.set()
        assert not first.ok and "no answer within 0.2 s" in first.detail
        assert not second.ok and "previous probe" in second.detail
        assert len(started) == 1

    def test_the_roundtrip_check_fails_when_writes_are_refused(self) -> None:
        store = Faulty("s")
        store.deny.add("put")
        outcome = check_store_roundtrip(store)
        assert not outcome.ok and outcome.detail.startswith("store put")
        assert check_store_roundtrip(MemoryStore()).ok
