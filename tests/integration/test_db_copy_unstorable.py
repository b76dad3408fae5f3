"""``entrepot db copy`` SQLite -> PostgreSQL of an old catalog holding a NUL in a JSON
document (SQLite kept it, PostgreSQL refuses it): the copy stops on that row, naming the
table, the row's key, the column and the fix, not disk space or the connection; once the
row is fixed, ``--resume`` finishes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, text, update

from entrepot.catalog.engine import make_engine
from tests.support.catalog import migrated_engine
from tests.support.databases import temporary_database
from tests.support.db_copy import ENTREPOT, METRICS, copy_env, printed
from tests.support.waiting import HANG_GUARD

pytestmark = pytest.mark.postgres


@pytest.fixture
def blank_postgres() -> Iterator[tuple[str, Engine]]:
    with temporary_database() as url:
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


def test_a_row_postgres_cannot_store_is_named_and_resume_finishes_once_fixed(
    tmp_path: Path, blank_postgres: tuple[str, Engine]
) -> None:
    url, target = blank_postgres
    source = migrated_engine(tmp_path)
    now = datetime(2024, 4, 2, 22, 0, tzinfo=UTC)
    rows = [
        {"kind": "report", "day": date(2024, 4, d), "sha256": "a" * 64, "updated_at": now}
        for d in range(1, 7)
    ]
    for row in rows:
        row["document"] = {"column": "amount"}
    with source.begin() as connection:
        connection.execute(insert(METRICS), rows)
        bad = connection.execute(
            text("SELECT id FROM city_metrics WHERE day = '2024-04-04'")
        ).scalar_one()
    # as an instance older than the catalog's text check kept it (ADR 0074 refuses it now)
    legacy = create_engine(source.url)
    with legacy.begin() as connection:
        connection.execute(
            text("UPDATE city_metrics SET document = :d WHERE id = :id"),
            {"d": json.dumps({"column": "amo\x00unt"}), "id": bad},
        )
    legacy.dispose()
    env = copy_env(source, tmp_path)
    command = [ENTREPOT, "db", "copy", "--to", url, "--batch", "2"]
    stopped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    said = printed(stopped)
    assert stopped.returncode != 0 and "Traceback" not in said
    assert f"row id={bad}" in said and "table city_metrics" in said and "document" in said
    assert "--resume" in said and "space" not in said and "connection" not in said
    with source.begin() as connection:
        connection.execute(
            update(METRICS).where(METRICS.c.id == bad).values(document={"column": "amount"})
        )
    resumed = subprocess.run(
        [*command, "--resume"], env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    with target.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM city_metrics")).scalar_one() == 6
