"""Integration fixtures: a real PostgreSQL, one temporary database per test session.

The server is ``postgresql+psycopg://postgres@127.0.0.1:5432/test`` unless
``ENTREPOT_TEST_POSTGRES_URL`` says otherwise. A database named ``entrepot_test_<random>``
is created for the session, migrated once, emptied after each test and dropped at the end.
If the server cannot be reached the tests fail (they never skip).

The suites of ``tests/support/suites`` (which ``tests/unit`` runs on SQLite) are run again here
on PostgreSQL by subclassing them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.tables import Base
from tests.support.databases import temporary_database


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """The session's database, migrated once."""
    with temporary_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def engine(postgres_engine: Engine) -> Iterator[Engine]:
    """The migrated session database, emptied after the test."""
    yield postgres_engine
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with postgres_engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def blank_engine() -> Iterator[Engine]:
    """A database of its own, never migrated (for the migration tests)."""
    with temporary_database() as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
