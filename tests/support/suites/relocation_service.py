"""Store migration on in-memory stores and a SQLite catalog: copy, check, repoint,
resume, verify, roll back, finalize, and the faults in between.

``tests/integration`` runs the same class on PostgreSQL by subclassing it; it takes an
``engine`` fixture (a migrated, empty catalog).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy import Engine, func, select, text

from entrepot.catalog.objects.records import ObjectState
from entrepot.catalog.relocation import journal_items
from entrepot.catalog.relocation.records import Item, Tally
from entrepot.catalog.relocation.tables import StoreMigrationItemRow
from entrepot.errors import AccessDenied, StoreUnavailable
from entrepot.relocation import (
    ItemState,
    MigrationState,
    StoreMigrations,
)
from entrepot.relocation.copying import Progress
from entrepot.relocation.errors import (
    DestinationConflict,
    MigrationError,
    MigrationIncomplete,
    MigrationInterrupted,
    MigrationOpen,
    NoMigration,
)
from entrepot.relocation.transfer import transfer
from entrepot.storage.memory import MemoryStore
from entrepot.storage.protocols import Store
from entrepot.storage.types import ObjectInfo
from tests.support.catalog import sqlite_engine
from tests.support.relocation import Faulty, World


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


class MigrationCase:
    """Base of the test classes: a fresh world on the ``engine`` fixture's catalog."""

    @pytest.fixture
    def world(self, engine: Engine) -> World:
        return World(engine, Faulty("home"), Faulty("destination"))


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


class TestMigrate(MigrationCase):
    def test_every_object_moves_with_its_bytes_type_and_metadata(self, world: World) -> None:
        written = world.seed()
        report = world.migrations.migrate(world.destination.url, jobs=3, batch_size=7)
        assert report.complete and report.repointed.objects == len(written)
        assert report.repointed.bytes == sum(len(d) for d in written.values())
        assert set(world.locations().values()) == {world.destination.url}
        for key, data in written.items():
            assert world.destination.get(key) == data
            info = world.destination.head(key)
            assert info.content_type == "text/csv"
            assert info.metadata == {"source": f"seed-{int(key[14:17])}"}
            assert world.home.exists(key), "the source is kept until --finalize"
        world.assert_every_row_verified()

    def test_reads_follow_the_rows_once_the_source_is_gone(self, world: World) -> None:
        written = world.seed(5)
        world.migrations.migrate(world.destination.url)
        world.home.delete_prefix("datasets")
        for key, data in written.items():
            assert world.objects.get(key) == data

    def test_a_prefix_moves_only_its_folder(self, world: World) -> None:
        world.seed(4, prefix="datasets")
        world.seed(3, prefix="models/fraud")
        world.migrations.migrate(world.destination.url, "models")
        where = world.locations()
        assert {k for k, u in where.items() if u == world.destination.url} == {
            f"models/fraud/file-{i:03d}.csv" for i in range(3)
        }
        assert not world.destination.exists("datasets/file-000.csv")

    def test_progress_counts_objects_and_bytes(self, world: World) -> None:
        written = world.seed(12)
        seen: list[Progress] = []
        world.migrations.migrate(world.destination.url, on_progress=seen.append)
        assert [p.done for p in seen] == list(range(1, 13))
        assert seen[-1].done_bytes == seen[-1].total_bytes == sum(map(len, written.values()))

    def test_a_second_migration_while_one_is_open_is_refused(self, world: World) -> None:
        world.seed(2)
        world.migrations.migrate(world.destination.url)
        with pytest.raises(MigrationOpen, match="--resume"):
            world.migrations.migrate(world.destination.url)

    def test_nothing_to_do_when_everything_is_there(self, world: World) -> None:
        world.seed(3)
        world.migrations.migrate(world.destination.url)
        report = world.migrations.resume()
        assert report.complete and report.repointed.objects == 0


class TestBadDestination(MigrationCase):
    def test_different_bytes_under_a_key_stop_before_any_row_changes(self, world: World) -> None:
        world.seed(5)
        world.destination.put("datasets/file-003.csv", b"someone else's bytes")
        with pytest.raises(DestinationConflict, match=r"datasets/file-003\.csv") as caught:
            world.migrations.migrate(world.destination.url)
        assert "no row was changed" in str(caught.value)
        assert world.location_rows() == 0
        assert _count(world.engine, "store_migrations") == 0
        assert [i.key for i in world.destination.list()] == ["datasets/file-003.csv"]

    def test_the_same_bytes_already_there_are_checked_not_sent(self, world: World) -> None:
        written = world.seed(4)
        world.destination.put("datasets/file-001.csv", written["datasets/file-001.csv"])
        assert isinstance(world.destination, Faulty)
        before = world.destination.puts
        report = world.migrations.migrate(world.destination.url)
        assert report.complete and report.reused == 1
        assert world.destination.puts - before == 3 + 1  # three objects and the probe

    @pytest.mark.parametrize("operation", ["put", "get", "list", "delete"])
    def test_a_missing_permission_is_named_before_anything_changes(
        self, world: World, operation: str
    ) -> None:
        world.seed(3)
        assert isinstance(world.destination, Faulty)
        world.destination.deny.add(operation)
        with pytest.raises(AccessDenied, match=f"{operation} refused"):
            world.migrations.migrate(world.destination.url)
        assert _count(world.engine, "store_migrations") == 0
        assert world.location_rows() == 0

    def test_an_unreachable_destination_is_refused(self, world: World) -> None:
        world.seed(3)
        assert isinstance(world.destination, Faulty)
        world.destination.down = True
        with pytest.raises(StoreUnavailable, match="connection refused"):
            world.migrations.migrate(world.destination.url)
        assert _count(world.engine, "store_migrations") == 0


class TestFaults(MigrationCase):
    def test_a_destination_that_stops_answering_aborts_and_resume_completes(
        self, world: World
    ) -> None:
        written = world.seed(40)
        assert isinstance(world.destination, Faulty)
        world.destination.fail_after = 1 + 17  # the probe, then 17 objects
        report = world.migrations.migrate(world.destination.url, jobs=2, batch_size=5)
        assert isinstance(report.aborted, StoreUnavailable)
        assert "connection refused" in str(report.aborted)
        assert not report.complete
        assert 0 < report.repointed.objects <= 17
        world.destination.down = False  # the check below reads the destination
        world.assert_every_row_verified()
        world.destination.fail_after = None
        resumed = world.migrations.resume(jobs=2)
        assert resumed.complete
        assert report.repointed.objects + resumed.repointed.objects == len(written)
        world.assert_every_row_verified()

    def test_a_crash_between_copy_and_repoint_loses_nothing(self, world: World) -> None:
        world.seed(30)

        class ProcessDied(BaseException):
            """The process dies between copies and commits (not a Ctrl-C, which the
            service answers as an interrupted pass: see the test below)."""

        def crash(progress: Any) -> None:
            if progress.done == 12:
                raise ProcessDied

        with pytest.raises(ProcessDied):
            world.migrations.migrate(
                world.destination.url, jobs=3, batch_size=50, on_progress=crash
            )
        assert world.location_rows() == 0, "no batch was committed"
        copied = {i.key for i in world.destination.list("datasets")}
        assert len(copied) >= 12
        world.assert_every_row_verified()
        assert isinstance(world.destination, Faulty)
        before = world.destination.puts
        resumed = world.migrations.resume()
        assert resumed.complete and resumed.repointed.objects == 30
        assert resumed.reused >= len(copied) - 1
        assert world.destination.puts - before == 30 - len(copied), "landed copies not re-sent"
        world.assert_every_row_verified()

    def test_ctrl_c_is_an_interrupted_pass_that_resumes(self, world: World) -> None:
        world.seed(30)

        def ctrl_c(progress: Any) -> None:
            if progress.done == 12:
                raise KeyboardInterrupt

        with pytest.raises(MigrationInterrupted, match="--resume"):
            world.migrations.migrate(
                world.destination.url, jobs=3, batch_size=50, on_progress=ctrl_c
            )
        world.assert_every_row_verified()
        resumed = world.migrations.resume()
        assert resumed.complete and resumed.repointed.objects == 30
        world.assert_every_row_verified()

    def test_a_ctrl_c_inside_a_batchs_statement_lands_after_the_batch(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Regression: a SIGINT that arrived while a batch's catalog statement was being
        compiled left the driver half-way (``IndexError``, exit 70, instead of an
        interrupted pass). It now lands between batches: that batch is committed whole."""
        world.seed(30)
        real_mark = journal_items.mark
        sent: list[bool] = []

        def mark_with_ctrl_c(*args: Any, **kwargs: Any) -> None:
            if not sent:
                sent.append(True)
                signal.raise_signal(signal.SIGINT)  # Ctrl-C, in the middle of the batch
            real_mark(*args, **kwargs)

        monkeypatch.setattr(journal_items, "mark", mark_with_ctrl_c)
        with pytest.raises(MigrationInterrupted, match="--resume"):
            world.migrations.migrate(world.destination.url, jobs=1, batch_size=10)
        committed = world.location_rows()  # a batch is 10 outcomes or a few more
        assert committed >= 10, "the batch Ctrl-C landed in was committed whole"
        world.assert_every_row_verified()
        monkeypatch.setattr(journal_items, "mark", real_mark)
        resumed = world.migrations.resume()
        assert resumed.complete and resumed.repointed.objects == 30 - committed
        world.assert_every_row_verified()

    def test_a_damaged_source_fails_that_object_only(self, world: World) -> None:
        world.seed(6)
        assert isinstance(world.home, MemoryStore)
        world.home.corrupt("datasets/file-002.csv", b"rot")
        report = world.migrations.migrate(world.destination.url)
        assert [f.key for f in report.failures] == ["datasets/file-002.csv"]
        assert "damaged" in report.failures[0].reason
        assert report.repointed.objects == 5 and not report.complete
        assert world.locations()["datasets/file-002.csv"] == world.home.url
        with pytest.raises(MigrationIncomplete, match=r"file-002\.csv"):
            world.migrations.finalize()
        assert world.home.exists("datasets/file-000.csv"), "finalize deleted nothing"

    def test_objects_written_and_deleted_meanwhile(self, world: World) -> None:
        world.seed(6)
        world.migrations.migrate(world.destination.url)
        world.objects.put("datasets/late.csv", b"late", owner=None, kind="dataset")
        world.objects.delete("datasets/file-004.csv")
        _, done = world.migrations.finalize()
        assert world.locations()["datasets/late.csv"] == world.destination.url
        assert world.objects.get("datasets/late.csv") == b"late"
        assert done.migration.state is MigrationState.RUNNING  # the record read at the start
        assert world.migrations.status().migration.state is MigrationState.FINALIZED  # type: ignore[union-attr]

    def test_an_object_deleted_before_its_repoint_is_skipped(self, world: World) -> None:
        world.seed(4)

        def delete_one(progress: Any) -> None:
            if progress.done == 1:
                world.objects.delete("datasets/file-003.csv")

        report = world.migrations.migrate(
            world.destination.url, jobs=1, batch_size=10, on_progress=delete_one
        )
        assert [f.key for f in report.skipped] == ["datasets/file-003.csv"]
        assert report.complete
        world.assert_every_row_verified()


class TestRunners(MigrationCase):
    def test_a_live_runner_keeps_others_out_and_a_stale_one_is_taken_over(
        self, world: World
    ) -> None:
        world.seed(3)
        world.migrations.migrate(world.destination.url)
        with world.sessions.begin() as session:
            session.execute(
                text("UPDATE store_migrations SET runner = 'other-host:99', heartbeat_at = :t"),
                {"t": world.now},
            )
        with pytest.raises(MigrationOpen, match="other-host:99"):
            world.migrations.resume()
        world.now += timedelta(minutes=2)
        assert world.migrations.resume().complete

    def test_a_runner_whose_process_ended_is_taken_over_at_once(self, world: World) -> None:
        import socket

        world.seed(2)
        world.migrations.migrate(world.destination.url)
        dead = 2**22 + 12345  # above the default pid_max: no such process
        with world.sessions.begin() as session:
            session.execute(
                text("UPDATE store_migrations SET runner = :r, heartbeat_at = :t"),
                {"r": f"{socket.gethostname()}:{dead}", "t": world.now},
            )
        assert world.migrations.resume().complete

    def test_the_status_says_what_is_true_of_the_migration_now(self, world: World) -> None:
        """Issue 44 item 3 (regression: a completed pass read "running", and a pass whose
        process was killed read "running", never "interrupted")."""
        import socket

        world.seed(3)
        world.migrations.migrate(world.destination.url)
        status = world.migrations.status()
        assert status is not None and status.phase == "copied" and not status.interrupted

        def held_by(runner: str, pending: bool) -> None:
            with world.sessions.begin() as session:
                session.execute(
                    text("UPDATE store_migrations SET runner = :r, heartbeat_at = :t"),
                    {"r": runner, "t": world.now},
                )
                if pending:
                    session.execute(
                        text(
                            "UPDATE store_migration_items SET state = 'pending' WHERE id = "
                            "(SELECT min(id) FROM store_migration_items)"
                        )
                    )

        held_by("other-host:99", pending=True)
        live = world.migrations.status()
        assert live is not None and live.phase == "copying" and not live.interrupted
        world.now += timedelta(minutes=2)  # its heartbeat went stale: it stopped
        stale = world.migrations.status()
        assert stale is not None and stale.phase == "interrupted" and stale.interrupted
        dead = 2**22 + 12345  # above the default pid_max: no such process
        held_by(f"{socket.gethostname()}:{dead}", pending=False)
        killed = world.migrations.status()
        assert killed is not None and killed.phase == "interrupted"


class TestVerify(MigrationCase):
    def test_a_lost_destination_copy_is_pointed_back_and_copied_again(self, world: World) -> None:
        world.seed(5)
        world.migrations.migrate(world.destination.url)
        world.destination.delete("datasets/file-001.csv")
        assert isinstance(world.destination, MemoryStore)
        world.destination.corrupt("datasets/file-002.csv", b"rot")
        report = world.migrations.verify()
        assert report.done.objects == 3
        assert sorted(p.key for p in report.problems) == [
            "datasets/file-001.csv",
            "datasets/file-002.csv",
        ]
        assert world.locations()["datasets/file-001.csv"] == world.home.url
        world.assert_every_row_verified()
        world.destination.delete("datasets/file-002.csv")  # a damaged copy must be removed
        assert world.migrations.resume().complete
        assert set(world.locations().values()) == {world.destination.url}
        world.assert_every_row_verified()


class TestRollback(MigrationCase):
    def test_rollback_restores_the_catalog_exactly_and_deletes_the_copies(
        self, world: World
    ) -> None:
        written = world.seed(8)
        world.migrations.migrate(world.destination.url)
        world.home.delete_prefix("nothing")  # the source is untouched
        report = world.migrations.rollback(delete_copies=True, deep=True)
        assert report.done.objects == 8 and report.deleted == 8 and not report.problems
        assert world.location_rows() == 0, "rows had no location row before"
        assert list(world.destination.list()) == []
        status = world.migrations.status()
        assert status is not None and status.migration.state is MigrationState.ROLLED_BACK
        assert status.count(ItemState.ROLLED_BACK).objects == 8
        for key, data in written.items():
            assert world.objects.get(key) == data
        world.migrations.migrate(world.destination.url)  # a new one may start

    def test_rollback_never_points_a_row_at_a_missing_source(self, world: World) -> None:
        world.seed(3)
        world.migrations.migrate(world.destination.url)
        world.home.delete("datasets/file-000.csv")
        report = world.migrations.rollback(delete_copies=True)
        assert [p.key for p in report.problems] == ["datasets/file-000.csv"]
        assert "source has no object" in report.problems[0].reason
        assert world.locations()["datasets/file-000.csv"] == world.destination.url
        assert world.destination.exists("datasets/file-000.csv")
        world.assert_every_row_verified()
        status = world.migrations.status()
        assert status is not None and status.migration.state is MigrationState.RUNNING

    def test_rollback_needs_nothing_from_a_vanished_destination(self, world: World) -> None:
        world.seed(4)
        world.migrations.migrate(world.destination.url)
        assert isinstance(world.destination, Faulty)
        world.destination.down = True
        report = world.migrations.rollback()
        assert report.done.objects == 4 and not report.problems
        assert world.location_rows() == 0
        world.destination.down = False
        world.assert_every_row_verified()

    def test_nothing_to_roll_back(self, world: World) -> None:
        with pytest.raises(NoMigration):
            world.migrations.rollback()


class TestFinalize(MigrationCase):
    def test_finalize_deletes_the_sources_and_closes(self, world: World) -> None:
        written = world.seed(6)
        world.migrations.migrate(world.destination.url)
        last, done = world.migrations.finalize()
        assert last is not None and last.complete
        assert done.deleted == 6
        assert list(world.home.list("datasets")) == []
        for key, data in written.items():
            assert world.objects.get(key) == data
        world.assert_every_row_verified()
        with pytest.raises(NoMigration):
            world.migrations.rollback()

    def test_keep_source(self, world: World) -> None:
        world.seed(2)
        world.migrations.migrate(world.destination.url)
        _, done = world.migrations.finalize(keep_source=True)
        assert done.deleted == 0 and len(list(world.home.list("datasets"))) == 2

    def test_a_finalizing_migration_cannot_be_rolled_back(self, world: World) -> None:
        world.seed(2)
        world.migrations.migrate(world.destination.url)
        with world.sessions.begin() as session:
            session.execute(text("UPDATE store_migrations SET state = 'finalizing'"))
        with pytest.raises(MigrationError, match="--finalize"):
            world.migrations.rollback()
        _, done = world.migrations.finalize()
        assert done.deleted == 2

    def test_quarantined_objects_stay_where_they_are(self, world: World) -> None:
        world.seed(3)
        with world.uow() as uow:
            uow.objects.set_state("datasets/file-001.csv", ObjectState.QUARANTINED)
            uow.commit()
        world.migrations.migrate(world.destination.url)
        world.migrations.finalize()
        assert world.locations()["datasets/file-001.csv"] == world.home.url
        assert world.location_rows() == 3, "the quarantined row names home explicitly"

    def test_back_again(self, world: World) -> None:
        written = world.seed(5)
        world.migrations.migrate(world.destination.url)
        world.migrations.finalize()
        there = World(world.engine, world.destination, world.home)  # configured: destination
        there.migrations.migrate(world.home.url)
        there.migrations.finalize()
        assert set(there.locations().values()) == {world.home.url}
        for key, data in written.items():
            assert world.home.get(key) == data
        assert list(world.destination.list("datasets")) == []


class TestLookOnly(MigrationCase):
    def test_dry_run_writes_nothing_and_says_what_would_happen(self, world: World) -> None:
        written = world.seed(5)
        world.destination.put("datasets/file-000.csv", written["datasets/file-000.csv"])
        world.destination.put("datasets/file-001.csv", b"other")
        tables = ("stores", "object_locations", "store_migrations", "store_migration_items")
        before = {t: _count(world.engine, t) for t in tables}
        plan = world.migrations.dry_run(world.destination.url)
        assert {t: _count(world.engine, t) for t in tables} == before
        assert [i.key for i in world.destination.list()] == [
            "datasets/file-000.csv",
            "datasets/file-001.csv",
        ]
        assert plan.to_copy[world.home.url].objects == 5
        assert plan.reused.objects == 1
        assert [k for k, _ in plan.conflicts] == ["datasets/file-001.csv"]
        assert plan.open is None

    def test_estimate_counts_kinds_stores_and_strays(self, world: World) -> None:
        world.seed(3)
        world.objects.put("models/m/v1/model.skops", b"x" * 1000, owner=None, kind="model-file")
        world.home.put("raw/by-hand.csv", b"not cataloged")
        estimate = world.migrations.estimate()
        assert estimate.objects.objects == 4
        assert estimate.by_kind["dataset"].objects == 3
        assert estimate.by_kind["model-file"].bytes == 1000
        assert estimate.by_store == {world.home.url: estimate.objects}
        assert estimate.uncataloged.objects == 1
        assert estimate.uncataloged_by_prefix == {"raw/": Tally(1, len(b"not cataloged"))}
        ia = next(c for c in estimate.costs if c.provider == "s3-ia")
        assert ia.billable_bytes == 5 * 128 * 1024  # every object (the stray too) is small

    def test_items_are_journaled_once_per_object(self, world: World) -> None:
        world.seed(7)
        world.migrations.migrate(world.destination.url, batch_size=2)
        world.migrations.resume()
        with world.sessions() as session:
            counts = session.execute(
                select(StoreMigrationItemRow.object_id, func.count()).group_by(
                    StoreMigrationItemRow.object_id
                )
            ).all()
        assert len(counts) == 7 and {n for _, n in counts} == {1}


class Rotting(Faulty):
    """A store whose objects rot right after they are written (the recorded sha256 stays)."""

    def _put(
        self,
        key: str,
        reader: BinaryIO,
        *,
        content_type: str | None,
        metadata: dict[str, str],
        if_absent: bool,
    ) -> ObjectInfo:
        info = super()._put(
            key, reader, content_type=content_type, metadata=metadata, if_absent=if_absent
        )
        if not key.startswith("_doctor/"):
            self.corrupt(key, b"rot")
        return info


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "staged"])
class TestTransfer:
    @pytest.fixture
    def source(self) -> Faulty:
        source = Faulty("source")
        source.put("k/a", b"alpha", content_type="text/plain", metadata={"m": "1"})
        return source

    def item(self, source: Store, key: str = "k/a") -> Item:
        info = source.head(key)
        assert info.sha256 is not None
        pending = ItemState.PENDING
        return Item(1, 1, key, info.sha256, info.size, 1, source.url, False, pending, None)

    def test_a_copy_keeps_type_and_metadata(
        self, source: Faulty, tmp_path: Path, in_memory: bool
    ) -> None:
        destination = Faulty("destination")
        outcome = transfer(
            self.item(source), source, destination, workdir=tmp_path, present=False,
            deep=True, in_memory=in_memory,
        )  # fmt: skip
        assert outcome.ok and not outcome.reused
        info = destination.head("k/a")
        assert (info.content_type, dict(info.metadata)) == ("text/plain", {"m": "1"})
        assert list(tmp_path.iterdir()) == [], "nothing staged is left behind"

    def test_a_damaged_source_is_not_copied(
        self, source: Faulty, tmp_path: Path, in_memory: bool
    ) -> None:
        item = self.item(source)
        source.corrupt("k/a", b"alphx")
        destination = Faulty("destination")
        outcome = transfer(
            item, source, destination, workdir=tmp_path, present=False, deep=False,
            in_memory=in_memory,
        )  # fmt: skip
        assert not outcome.ok and outcome.fatal is None and "damaged" in (outcome.error or "")
        assert not destination.exists("k/a")

    def test_a_copy_that_rots_is_caught_by_deep_and_removed(
        self, source: Faulty, tmp_path: Path, in_memory: bool
    ) -> None:
        destination = Rotting("destination")
        shallow = transfer(
            self.item(source), source, destination, workdir=tmp_path, present=False,
            deep=False, in_memory=in_memory,
        )  # fmt: skip
        assert shallow.ok, "a head only sees the recorded sha256: --verify exists for this"
        destination.delete("k/a")
        deep = transfer(
            self.item(source), source, destination, workdir=tmp_path, present=False,
            deep=True, in_memory=in_memory,
        )  # fmt: skip
        assert not deep.ok and "reads back different bytes" in (deep.error or "")
        assert not destination.exists("k/a"), "the bad copy was ours: removed"

    def test_someone_elses_bytes_are_reported_and_left(
        self, source: Faulty, tmp_path: Path, in_memory: bool
    ) -> None:
        destination = Faulty("destination")
        destination.put("k/a", b"other")
        outcome = transfer(
            self.item(source), source, destination, workdir=tmp_path, present=False,
            deep=False, in_memory=in_memory,
        )  # fmt: skip
        assert not outcome.ok and "holds 5 bytes" in (outcome.error or "")
        assert destination.get("k/a") == b"other"

    def test_an_unreachable_destination_is_fatal(
        self, source: Faulty, tmp_path: Path, in_memory: bool
    ) -> None:
        destination = Faulty("destination")
        destination.down = True
        outcome = transfer(
            self.item(source), source, destination, workdir=tmp_path, present=False,
            deep=False, in_memory=in_memory,
        )  # fmt: skip
        assert isinstance(outcome.fatal, StoreUnavailable)


class TestHomeIsTheStoreItself(MigrationCase):
    def test_given_the_located_view_rollback_still_checks_the_source(self, world: World) -> None:
        world.seed(2)
        world.migrations.migrate(world.destination.url)
        world.home.delete("datasets/file-000.csv")
        through_view = StoreMigrations(world.located, world.open, world.uow, actor="t")
        report = through_view.rollback()
        assert [p.key for p in report.problems] == ["datasets/file-000.csv"]
        assert world.locations()["datasets/file-000.csv"] == world.destination.url
        world.assert_every_row_verified()
