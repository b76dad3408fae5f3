"""``entrepot db copy`` between two SQLite catalogs: the whole catalog, compared; refusals;
a target that fills up mid-copy, then ``--resume`` (PostgreSQL: tests/integration)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from entrepot.catalog.copy.errors import CopyInterrupted, TargetNotEmpty
from entrepot.catalog.copy.marker import markers
from entrepot.catalog.copy.plan import copy_plan
from entrepot.catalog.copy.service import CatalogCopy
from entrepot.catalog.copy.values import canonical
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import current, downgrade, head, upgrade
from entrepot.catalog.tables import metadata
from entrepot.errors import ConfigError, DatabaseUnavailable, NotMigrated
from tests.support.catalog import migrated_engine
from tests.support.catalog_fill import catalog_digests, fill_catalog


@pytest.fixture
def source(tmp_path: Path) -> Engine:
    engine = migrated_engine(tmp_path / "source")
    fill_catalog(engine)
    return engine


@pytest.fixture
def target(tmp_path: Path) -> Engine:
    return migrated_engine(tmp_path / "target")


def _interrupt_at_users(source: Engine, target: Engine) -> None:
    """A copy that fails at the first user row, leaving an open marker."""
    with target.begin() as connection:
        connection.execute(text("CREATE TRIGGER stop BEFORE INSERT ON users BEGIN "
                                "SELECT RAISE(ABORT, 'stopped'); END"))  # fmt: skip
    with pytest.raises(CopyInterrupted, match="stopped"):
        CatalogCopy(source, target).run()
    with target.begin() as connection:
        connection.execute(text("DROP TRIGGER stop"))


def test_every_table_of_the_schema_is_copied_but_the_marker() -> None:
    names = {step.name for step in copy_plan(metadata)}
    assert names == {t.name for t in metadata.sorted_tables} - {"catalog_copies", "leases"}
    assert [s.name for s in copy_plan(metadata)].index("users") < [
        s.name for s in copy_plan(metadata)
    ].index("api_tokens")


def test_the_whole_catalog_arrives_and_compares(source: Engine, target: Engine) -> None:
    before = catalog_digests(source)
    seen: list[tuple[str, int, int]] = []
    report = CatalogCopy(source, target, batch_size=5).run(on_progress=lambda *a: seen.append(a))
    assert report.ok and not report.resumed
    assert report.rows == 12 * len(copy_plan(metadata))
    assert catalog_digests(target) == before == catalog_digests(source)
    assert seen[-1][1] == seen[-1][2] == report.rows
    with target.connect() as connection:
        assert [m.state for m in markers(connection)] == ["done"]


def test_the_digest_sees_one_changed_value(source: Engine, target: Engine) -> None:
    CatalogCopy(source, target).run()
    with target.begin() as connection:
        connection.execute(text("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = 5"))
    assert catalog_digests(target)["users"] != catalog_digests(source)["users"]
    assert catalog_digests(target)["objects"] == catalog_digests(source)["objects"]


def test_a_non_empty_target_is_refused_and_left_as_it_was(source: Engine, tmp_path: Path) -> None:
    other = migrated_engine(tmp_path / "other")
    fill_catalog(other, rows=2)
    before = catalog_digests(other)
    with pytest.raises(TargetNotEmpty, match="holds rows"):
        CatalogCopy(source, other).run()
    with pytest.raises(TargetNotEmpty):
        CatalogCopy(source, other).run(resume=True)
    assert catalog_digests(other) == before


def test_a_finished_copy_is_not_copied_again(source: Engine, target: Engine) -> None:
    CatalogCopy(source, target).run()
    with pytest.raises(TargetNotEmpty, match="only goes into an empty database"):
        CatalogCopy(source, target).run()


def test_a_target_at_another_revision_is_refused(source: Engine, target: Engine) -> None:
    downgrade(target, "0006")
    with pytest.raises(NotMigrated, match="revision '0006'") as caught:
        CatalogCopy(source, target).run()
    assert "db upgrade" in str(caught.value)


def test_a_blank_target_gets_its_schema_in_the_same_command(source: Engine, tmp_path: Path) -> None:
    blank = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    with blank.connect():  # an empty database file
        pass
    copy = CatalogCopy(source, blank)
    assert copy.check() is None and copy.blank_target()
    assert current(blank) is None  # checking writes nothing
    report = copy.run()
    assert report.ok and report.created
    assert current(blank) == head()
    assert catalog_digests(blank) == catalog_digests(source)


def test_a_missing_sqlite_file_is_created_by_the_copy(source: Engine, tmp_path: Path) -> None:
    where = tmp_path / "new" / "catalog.db"
    target = make_engine(f"sqlite:///{where}", create_folder=False)
    assert CatalogCopy(source, target).blank_target() and not where.exists()
    assert CatalogCopy(source, target).run().ok
    assert catalog_digests(target) == catalog_digests(source)


def test_a_target_with_foreign_tables_is_refused(source: Engine, tmp_path: Path) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with other.begin() as connection:
        connection.execute(text("CREATE TABLE theirs (id INTEGER)"))
    with pytest.raises(NotMigrated, match="no Entrepôt schema revision"):
        CatalogCopy(source, other).check()


def test_values_compare_not_bytes() -> None:
    assert canonical({"d": {"x": -0.0, "b": [1e300]}}) == canonical({"d": {"b": [10**300], "x": 0}})
    assert canonical({"d": {"a": 1, "b": 2.0}}) == canonical({"d": {"b": 2, "a": 1}})
    aware = datetime(2024, 4, 2, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert canonical({"t": aware}) == canonical({"t": datetime(2024, 4, 1, 22, 0)})
    assert canonical({"d": {"x": 0.5}}) != canonical({"d": {"x": 0.25}})
    assert canonical({"id": 2**60}) != canonical({"id": 2**60 + 1})


def test_a_difference_names_the_table_the_row_and_the_column(
    source: Engine, target: Engine
) -> None:
    CatalogCopy(source, target).run()
    with target.begin() as connection:
        connection.execute(text("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = 5"))
        last = "(SELECT max(id) FROM user_sessions)"
        connection.execute(text(f"DELETE FROM user_sessions WHERE id = {last}"))
    checks = {c.name: c for c in CatalogCopy(source, target).compare() if not c.same}
    assert set(checks) == {"users", "user_sessions"}
    (changed,) = checks["users"].differences
    assert (changed.table, changed.row, changed.column) == ("users", 5, "session_epoch")
    assert changed.target == changed.source + 1
    (gone,) = checks["user_sessions"].differences
    assert gone.column is None and gone.target is None and gone.source is not None


def test_the_source_itself_is_refused(source: Engine) -> None:
    same = make_engine(str(source.url))
    with pytest.raises(ConfigError, match="configured database itself"):
        CatalogCopy(source, same).check()


def test_an_unreachable_target_is_a_clear_error(source: Engine) -> None:
    unreachable = make_engine("postgresql://nobody:secret@127.0.0.1:9/none")
    with pytest.raises(DatabaseUnavailable, match="cannot connect") as caught:
        CatalogCopy(source, unreachable).check()
    assert "secret" not in str(caught.value)


def test_a_target_that_fills_up_keeps_what_it_has_and_resumes(
    source: Engine, target: Engine
) -> None:
    before = catalog_digests(source)
    full = (
        "CREATE TRIGGER full BEFORE INSERT ON model_versions WHEN NEW.id > 20 "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    with target.begin() as connection:
        connection.execute(text(full))
    with pytest.raises(CopyInterrupted, match=r"model_versions.*disk is full") as caught:
        CatalogCopy(source, target, batch_size=4).run()
    assert "--resume" in str(caught.value)
    assert catalog_digests(source) == before
    with target.connect() as connection:
        (marker,) = markers(connection)
        copied = connection.execute(select(func.count()).select_from(text("model_versions")))
        assert marker.state == "copying"
        assert marker.of("model_versions").rows == copied.scalar_one() == 4
    with pytest.raises(TargetNotEmpty, match="--resume"):
        CatalogCopy(source, target).run()
    with target.begin() as connection:
        connection.execute(text("DROP TRIGGER full"))
    report = CatalogCopy(source, target, batch_size=4).run(resume=True)
    assert report.ok and report.resumed
    assert catalog_digests(target) == before


def test_an_interrupted_copy_of_another_source_is_not_resumed(
    source: Engine, target: Engine, tmp_path: Path
) -> None:
    _interrupt_at_users(source, target)
    elsewhere = migrated_engine(tmp_path / "elsewhere")
    with pytest.raises(TargetNotEmpty, match="another database"):
        CatalogCopy(elsewhere, target).run(resume=True)


def test_upgrade_makes_an_empty_target(tmp_path: Path, source: Engine) -> None:
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    assert CatalogCopy(source, fresh).check() is None
    assert CatalogCopy(source, fresh).counts()["users"] == 12


def test_an_interrupted_copy_from_another_revision_is_not_resumed(
    source: Engine, target: Engine
) -> None:
    _interrupt_at_users(source, target)
    with target.begin() as connection:
        connection.execute(text("UPDATE catalog_copies SET revision = '0005'"))
    with pytest.raises(TargetNotEmpty, match="revision '0005'"):
        CatalogCopy(source, target).run(resume=True)
