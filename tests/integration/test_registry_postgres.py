"""The registry on PostgreSQL: the unit-test classes again, and concurrent pushes from
several processes' worth of connections racing for one second's version."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.uow import unit_of_work_factory
from entrepot.registry import Registry
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.clock import FakeClock
from tests.support.registry import SECRET
from tests.support.suites import registry_loading as loading
from tests.support.suites import registry_push as push
from tests.support.suites import registry_reads as reads

pytestmark = pytest.mark.postgres


class TestPushOnPostgres(push.TestPush):
    pass


class TestPullOnPostgres(reads.TestPull):
    pass


class TestAliasesOnPostgres(reads.TestAliases):
    pass


class TestDeleteOnPostgres(reads.TestDelete):
    pass


class TestNotesAndFilesOnPostgres(reads.TestNotesAndFiles):
    pass


class TestVerifyOnPostgres(reads.TestVerify):
    pass


class TestDeleteFailuresOnPostgres(reads.TestDeleteFailures):
    pass


class TestOwnersOnPostgres(reads.TestOwners):
    pass


class TestReferencesOnPostgres(reads.TestReferences):
    pass


class TestPicklesOnPostgres(loading.TestPickles):
    pass


def test_racing_pushes_on_separate_connections_all_get_versions(
    engine: Engine, tmp_path: Path
) -> None:
    """Eight registries (each its own sessions) push in the same frozen second."""
    store = MemoryStore("race")
    clock = FakeClock(datetime(2025, 1, 1, tzinfo=UTC))
    barrier = threading.Barrier(8)
    versions: list[str] = []
    errors: list[BaseException] = []

    def push_one(n: int) -> None:
        registry = Registry(
            store,
            CachedStore(store, tmp_path / f"cache-{n}", 10**7),
            unit_of_work_factory(engine),
            secret=SECRET,
            actor=f"worker-{n}",
            clock=clock,
        )
        src = tmp_path / f"w{n}.bin"
        src.write_bytes(f"weights of worker {n}".encode())
        barrier.wait()
        try:
            versions.append(registry.push([src], "raced").version)
        except BaseException as exc:  # pragma: no cover - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=push_one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(versions) == sorted({*versions})
    assert len(versions) == 8
    assert all(v.startswith("v20250101_000000") for v in versions)
    reader = Registry(
        store, CachedStore(store, tmp_path / "reader", 10**7), unit_of_work_factory(engine),
        secret=SECRET, actor="reader",
    )  # fmt: skip
    for version in versions:
        pulled = reader.pull("raced", version)
        n = pulled.version.created_by.removeprefix("worker-")
        assert pulled.files[f"w{n}.bin"].read_bytes() == f"weights of worker {n}".encode()
