"""A store move carries the objects no catalog row records (ADR 0038): the city lake's raw
partitions and the collector's markers are listed, copied, checked, resumed, verified,
rolled back and finalized like cataloged objects; ``--finalize`` refuses to leave anything
behind unless forced.

``tests/integration`` runs the same class on PostgreSQL by subclassing it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from entrepot.catalog.relocation.records import ItemState, Tally
from entrepot.catalog.relocation.tables import StoreMigrationItemRow
from entrepot.errors import StoreUnavailable
from entrepot.relocation.errors import LeftBehind, MigrationIncomplete
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from tests.support.relocation import Faulty, World

#: What the city pipeline and its collector write straight to the store (no catalog row).
LAKE = {
    "raw/api/bikes/dt=2024-03-25/hour=08/a1.json": b'{"stations": [1, 2, 3]}',
    "raw/api/bikes/dt=2024-03-25/hour=09/a1.json": b'{"stations": [4, 5]}',
    "raw/api/weather/dt=2024-03-25/hour=08/b2.json": b'{"t": 11.5}',
    "raw/batch/counts/20240325T000000Z-0123456789abcdef.csv": b"id,q\n1,2\n" * 40,
    "collect/bikes/dt=2024-03-25/hour=08.json": b'{"feed": "bikes"}',
}


class ListedCase:
    """A fresh world (see ``relocation_service``) whose home also holds :data:`LAKE`."""

    @pytest.fixture
    def world(self, engine: object) -> World:
        made = World(engine, Faulty("home"), Faulty("destination"))  # type: ignore[arg-type]
        for key, data in LAKE.items():
            made.home.put(key, data, content_type="application/json")
        return made


def _items_per_key(world: World) -> dict[str, int]:
    with world.sessions() as session:
        rows = session.execute(
            select(StoreMigrationItemRow.key, func.count())
            .where(StoreMigrationItemRow.listed.is_(True))
            .group_by(StoreMigrationItemRow.key)
        ).all()
    return {str(k): int(n) for k, n in rows}


class TestListedObjects(ListedCase):
    def test_the_lake_moves_with_its_bytes_and_is_found_once_home_changes(
        self, world: World
    ) -> None:
        written = world.seed(4)
        report = world.migrations.migrate(world.destination.url, jobs=2, batch_size=3)
        assert report.complete
        assert report.repointed == Tally(
            len(written) + len(LAKE), sum(map(len, written.values())) + sum(map(len, LAKE.values()))
        )
        for key, data in LAKE.items():
            assert world.destination.get(key) == data
            assert world.destination.head(key).sha256 == hashlib.sha256(data).hexdigest()
            assert world.home.exists(key), "the source is kept until --finalize"
        _, done = world.migrations.finalize()
        assert done.deleted == len(written) + len(LAKE)
        assert list(world.home.list()) == []
        there = World(world.engine, world.destination, world.home)  # configured: destination
        for key, data in LAKE.items():
            assert there.located.get(key) == data
        there.assert_every_row_verified()

    def test_the_estimate_counts_them_per_prefix(self, world: World) -> None:
        world.seed(2)
        estimate = world.migrations.estimate()
        expected: dict[str, Tally] = {}
        for key, data in LAKE.items():
            folder = "/".join(key.split("/")[:2]) + "/"
            expected[folder] = expected.get(folder, Tally()) + Tally(1, len(data))
        assert estimate.uncataloged_by_prefix == expected
        assert estimate.uncataloged == Tally(len(LAKE), sum(map(len, LAKE.values())))
        assert estimate.objects.objects == 2, "the cataloged ones are counted apart"
        assert world.migrations.dry_run(world.destination.url).listed == estimate.uncataloged

    def test_a_cut_run_resumes_and_journals_each_object_once(self, world: World) -> None:
        world.seed(6)
        assert isinstance(world.destination, Faulty)
        world.destination.fail_after = 1 + 4  # the probe, then 4 objects
        cut = world.migrations.migrate(world.destination.url, jobs=1, batch_size=2)
        assert isinstance(cut.aborted, StoreUnavailable) and not cut.complete
        world.destination.down, world.destination.fail_after = False, None
        resumed = world.migrations.resume(jobs=2)
        assert resumed.complete
        assert cut.repointed.objects + resumed.repointed.objects == 6 + len(LAKE)
        assert _items_per_key(world) == dict.fromkeys(LAKE, 1)
        for key, data in LAKE.items():
            assert world.destination.get(key) == data

    def test_a_damaged_source_fails_that_object_and_blocks_finalize(self, world: World) -> None:
        assert isinstance(world.home, MemoryStore)
        damaged = "raw/api/weather/dt=2024-03-25/hour=08/b2.json"
        world.home.corrupt(damaged, b'{"t": 99}')
        report = world.migrations.migrate(world.destination.url)
        assert [f.key for f in report.failures] == [damaged]
        assert not world.destination.exists(damaged)
        with pytest.raises(MigrationIncomplete, match="nothing was deleted"):
            world.migrations.finalize()
        assert world.home.exists(damaged)

    def test_verify_queues_a_lost_copy_again(self, world: World) -> None:
        world.migrations.migrate(world.destination.url)
        lost = "collect/bikes/dt=2024-03-25/hour=08.json"
        world.destination.delete(lost)
        checked = world.migrations.verify()
        assert [p.key for p in checked.problems] == [lost]
        assert checked.done.objects == len(LAKE) - 1
        assert world.migrations.resume().repointed.objects == 1
        assert world.destination.get(lost) == LAKE[lost]

    def test_rollback_deletes_their_copies_and_keeps_the_sources(self, world: World) -> None:
        world.migrations.migrate(world.destination.url)
        report = world.migrations.rollback(delete_copies=True)
        assert report.done.objects == len(LAKE) and report.deleted == len(LAKE)
        assert list(world.destination.list()) == []
        assert {i.key for i in world.home.list()} == set(LAKE)
        status = world.migrations.status()
        assert status is not None
        assert status.count(ItemState.ROLLED_BACK).objects == len(LAKE)


class TestLeftBehind(ListedCase):
    def test_finalize_refuses_what_a_prefix_leaves_behind_unless_forced(self, world: World) -> None:
        world.seed(3, prefix="datasets")
        models = world.seed(2, prefix="models/fraud")
        assert world.migrations.migrate(world.destination.url, "models").complete
        with pytest.raises(LeftBehind) as refused:
            world.migrations.finalize()
        said = f"{refused.value.message} {refused.value.hint}"
        assert f"still holds {3 + len(LAKE)} object(s)" in said
        assert "datasets/: 3 object(s)" in said and "raw/api/ not cataloged: 3" in said
        assert "--force" in said and "nothing was deleted" in said
        assert all(world.home.exists(k) for k in models), "nothing was deleted"
        _, done = world.migrations.finalize(force=True)
        assert done.deleted == len(models)
        there = World(world.engine, world.destination, world.home)  # configured: destination
        assert set(there.locations().values()) == {world.home.url, world.destination.url}
        assert there.locations()["datasets/file-000.csv"] == world.home.url, "pinned where it is"
        there.assert_every_row_verified()

    def test_a_whole_store_move_leaves_nothing_behind(self, world: World) -> None:
        world.seed(2)
        world.migrations.migrate(world.destination.url)
        last, done = world.migrations.finalize(keep_source=True)
        assert last is not None and last.complete and done.deleted == 0


class TestListedLocal:
    """A file in a local store without its sidecar (placed by hand) is moved under the
    sha256 of its bytes."""

    def test_a_file_without_a_recorded_sha256(self, engine: object, tmp_path: Path) -> None:
        home = LocalStore(tmp_path / "store")
        world = World(engine, home, MemoryStore("destination"))  # type: ignore[arg-type]
        data = b"placed,by,hand\n" * 10
        path = tmp_path / "store" / "raw" / "batch" / "by-hand.csv"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        assert home.head("raw/batch/by-hand.csv").sha256 is None
        assert world.migrations.migrate(world.destination.url).complete
        info = world.destination.head("raw/batch/by-hand.csv")
        assert info.sha256 == hashlib.sha256(data).hexdigest()
        assert world.destination.get("raw/batch/by-hand.csv") == data
