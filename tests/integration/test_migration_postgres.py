"""Store migration on PostgreSQL: the unit-test classes again (row locks, savepoints,
``ON DELETE`` actions and the one-open-migration constraint on the real server)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.support.suites import relocation_listed as listed
from tests.support.suites import relocation_service as unit

pytestmark = pytest.mark.postgres


class TestMigrateOnPostgres(unit.TestMigrate):
    pass


class TestBadDestinationOnPostgres(unit.TestBadDestination):
    pass


class TestFaultsOnPostgres(unit.TestFaults):
    pass


class TestRunnersOnPostgres(unit.TestRunners):
    pass


class TestVerifyOnPostgres(unit.TestVerify):
    pass


class TestRollbackOnPostgres(unit.TestRollback):
    pass


class TestFinalizeOnPostgres(unit.TestFinalize):
    pass


class TestLookOnlyOnPostgres(unit.TestLookOnly):
    pass


class TestHomeIsTheStoreItselfOnPostgres(unit.TestHomeIsTheStoreItself):
    pass


class TestListedObjectsOnPostgres(listed.TestListedObjects):
    pass


class TestLeftBehindOnPostgres(listed.TestLeftBehind):
    pass


def test_the_database_lets_only_one_migration_be_open(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO stores (url) VALUES ('memory://x')"))
        insert = text(
            "INSERT INTO store_migrations (destination_id, prefix, state, open_slot, created_at,"
            " created_by) SELECT id, '', 'running', 1, now(), 't' FROM stores"
        )
        connection.execute(insert)
    with (
        pytest.raises(IntegrityError, match="uq_store_migrations_open_slot"),
        engine.begin() as connection,
    ):
        connection.execute(insert)
