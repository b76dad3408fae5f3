"""``entrepot db copy`` on the real PostgreSQL, as a user types it: SQLite -> PostgreSQL
killed mid-copy and resumed, then PostgreSQL -> SQLite; every digest compared, the
sequences past the copied ids; a target that fills up mid-copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Engine, Table, insert, text

from entrepot.catalog.copy.digest import TableDigest
from entrepot.catalog.copy.marker import markers
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.objects.tables import ObjectRow
from tests.support.catalog import migrated_engine
from tests.support.catalog_fill import catalog_digests, fill_catalog
from tests.support.databases import temporary_database
from tests.support.waiting import HANG_GUARD, wait_for

pytestmark = pytest.mark.postgres

ENTREPOT = str(Path(sys.executable).parent / "entrepot")
OBJECTS = cast(Table, ObjectRow.__table__)


@pytest.fixture
def postgres_target() -> Iterator[tuple[str, Engine]]:
    with temporary_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield url, engine
        finally:
            engine.dispose()


def _env(database_url: str, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        ENTREPOT_DATABASE_URL=database_url,
        ENTREPOT_STORE_URL=str(folder / "store"),
        ENTREPOT_VAR_DIR=str(folder),
        COLUMNS="200",
    )
    return env


def _rows_copied(engine: Engine) -> int:
    with engine.connect() as connection:
        found = markers(connection)
    return found[0].rows_copied if found else 0


def _filled_source(folder: Path) -> tuple[Engine, dict[str, TableDigest], dict[str, str]]:
    """A filled SQLite catalog, its digests, and the environment that configures it."""
    source = migrated_engine(folder)
    fill_catalog(source, rows=30)
    return source, catalog_digests(source), _env(str(source.url), folder)


def test_sqlite_to_postgres_killed_resumed_and_back(
    tmp_path: Path, postgres_target: tuple[str, Engine]
) -> None:
    url, target = postgres_target
    source, expected, env = _filled_source(tmp_path)
    command = [ENTREPOT, "db", "copy", "--to", url, "--batch", "5"]

    copying = subprocess.Popen(
        [*command, "--pause", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(
        lambda: _rows_copied(target) >= 40,
        "40 rows copied",
        gone=lambda: None if copying.poll() is None else "the copy ended before it was killed",
        every=0.05,
    )
    copying.send_signal(signal.SIGKILL)
    copying.wait(timeout=10)
    interrupted = _rows_copied(target)
    assert 40 <= interrupted < 30 * len(expected)

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert again.returncode == 73, again.stdout + again.stderr
    assert "--resume" in again.stderr and "Traceback" not in again.stderr

    resumed = subprocess.run(
        [*command, "--resume"], env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "(resumed)" in resumed.stdout and "every table's count and digest match" in (
        " ".join(resumed.stdout.split())
    )
    assert catalog_digests(target) == expected == catalog_digests(source)

    with target.begin() as connection:  # the sequences start past the copied ids
        new_id = connection.execute(
            insert(OBJECTS)
            .values(
                key="after/copy",
                sha256="0" * 64,
                size=1,
                owner="t",
                kind="file",
                state="stored",
                created_at=text("now()"),
            )
            .returning(OBJECTS.c.id)
        ).scalar_one()
        largest = connection.execute(
            text("SELECT max(id) FROM objects WHERE id <> :i"), {"i": new_id}
        ).scalar_one()
        assert new_id > largest
        connection.execute(text("DELETE FROM objects WHERE id = :i"), {"i": new_id})

    back = migrated_engine(tmp_path / "back")
    home = subprocess.run(
        [ENTREPOT, "db", "copy", "--to", str(back.url)],
        env=_env(url, tmp_path),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert home.returncode == 0, home.stdout + home.stderr
    assert catalog_digests(back) == expected


def test_a_postgres_target_that_fills_up_stays_resumable(
    tmp_path: Path, postgres_target: tuple[str, Engine]
) -> None:
    url, target = postgres_target
    source, expected, env = _filled_source(tmp_path)
    with target.begin() as connection:
        connection.execute(
            text(
                "CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN IF NEW.id > 30 THEN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' "
                "USING ERRCODE = 'disk_full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER full_disk BEFORE INSERT ON model_versions FOR EACH ROW "
                "EXECUTE FUNCTION full_disk()"
            )
        )
    command = [ENTREPOT, "db", "copy", "--to", url, "--batch", "4"]
    failed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert failed.returncode != 0
    said = " ".join(failed.stderr.split())
    assert "stopped in table model_versions" in said and "No space left on device" in said
    assert "--resume" in said
    assert "Traceback" not in failed.stderr and "error ignored" not in failed.stderr
    assert catalog_digests(source) == expected
    with target.begin() as connection:
        connection.execute(text("DROP TRIGGER full_disk ON model_versions"))
    resumed = subprocess.run(
        [*command, "--resume"], env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert catalog_digests(target) == expected
