"""``entrepot db copy`` SQLite -> PostgreSQL compares values, not bytes (issue 26): a city
report holding ``change_pct: -0.0`` (JSONB gives back ``0.0``), a float JSONB writes as an
integer, keys in another order; a blank PostgreSQL database is migrated by the copy
itself; ``--resume`` verifies the same way; a real difference names table, row and column."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text

from entrepot.catalog.copy.marker import markers
from entrepot.catalog.copy.service import CatalogCopy
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import current, head, upgrade
from tests.support.catalog import migrated_engine
from tests.support.databases import temporary_database
from tests.support.db_copy import ENTREPOT, METRICS, copy_env, printed
from tests.support.waiting import HANG_GUARD

pytestmark = pytest.mark.postgres

REPORT = {
    "day": "2024-04-02",
    "traffic": {"change_pct": -0.0, "total": 1e300, "mean": 3.0, "counts": [-0.0, 1.5]},
    "zeta": 1,
    "alpha": {"b": 2, "a": 1},
}


@pytest.fixture
def blank_postgres() -> Iterator[tuple[str, Engine]]:
    with temporary_database() as url:
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


def _source(folder: Path) -> Engine:
    engine = migrated_engine(folder)
    now = datetime(2024, 4, 2, 22, 0, 0, 123456, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(METRICS),
            [
                {
                    "kind": kind,
                    "day": date(2024, 4, d),
                    "document": REPORT,
                    "sha256": "a" * 64,
                    "updated_at": now,
                }
                for kind in ("report", "traffic")
                for d in range(1, 7)
            ],
        )
    return engine


def test_minus_zero_copies_into_a_blank_postgres_in_one_command(
    tmp_path: Path, blank_postgres: tuple[str, Engine]
) -> None:
    url, target = blank_postgres
    source = _source(tmp_path)
    done = subprocess.run(
        [ENTREPOT, "db", "copy", "--to", url],
        env=copy_env(source, tmp_path),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    said = printed(done)
    assert "schema created first" in said and "every table's count and digest match" in said
    assert current(target) == head()
    with target.connect() as connection:
        stored = connection.execute(text("SELECT document FROM city_metrics LIMIT 1")).scalar_one()
        assert stored["traffic"]["change_pct"] == 0.0  # JSONB has no negative zero
        assert [m.state for m in markers(connection)] == ["done"]


def test_resume_verifies_minus_zero_too(tmp_path: Path, blank_postgres: tuple[str, Engine]) -> None:
    url, target = blank_postgres
    source = _source(tmp_path)
    env = copy_env(source, tmp_path)
    command = [ENTREPOT, "db", "copy", "--to", url, "--batch", "4"]
    first = subprocess.run(
        [*command, "--dry-run"], env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert first.returncode == 0 and "create its schema first" in printed(first)
    assert current(target) is None  # a dry run writes nothing
    upgrade(target)
    with target.begin() as connection:  # the first copy stops in city_metrics
        connection.execute(
            text(
                "CREATE FUNCTION stop() RETURNS trigger AS $$ BEGIN IF NEW.id > 4 THEN "
                "RAISE EXCEPTION 'stopped'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER stop BEFORE INSERT ON city_metrics FOR EACH ROW "
                "EXECUTE FUNCTION stop()"
            )
        )
    stopped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert stopped.returncode != 0 and "--resume" in printed(stopped)
    with target.begin() as connection:
        connection.execute(text("DROP TRIGGER stop ON city_metrics"))
    resumed = subprocess.run(
        [*command, "--resume"], env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "(resumed)" in resumed.stdout


def test_a_real_difference_names_the_table_the_row_and_the_column(
    tmp_path: Path, blank_postgres: tuple[str, Engine]
) -> None:
    _url, target = blank_postgres
    source = _source(tmp_path)
    CatalogCopy(source, target).run()
    with target.begin() as connection:
        connection.execute(
            text(
                "UPDATE city_metrics SET document = jsonb_set(document, "
                "'{traffic,change_pct}', '0.5') WHERE id = 3"
            )
        )
    report = CatalogCopy(source, target).compare()
    (bad,) = [check for check in report if not check.same]
    (found,) = bad.differences
    assert (found.table, found.row, found.column) == ("city_metrics", 3, "document")
    assert (found.path, found.source, found.target) == ("traffic.change_pct", -0.0, 0.5)
