"""Databases on the test PostgreSQL server: its URL, and throwaway databases on it.

The server is ``postgresql+psycopg://postgres@127.0.0.1:5432/test`` unless
``ENTREPOT_TEST_POSTGRES_URL`` says otherwise; when it cannot be reached the tests fail
(they never skip).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from entrepot.catalog.engine import make_engine, masked
from entrepot.errors import DatabaseUnavailable

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_HINT = (
    "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
)


def server_url() -> str:
    """The URL of a database on the test server that the tests may connect to."""
    return os.environ.get("ENTREPOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create a uniquely named database, yield its URL, drop it afterwards."""
    admin = make_engine(server_url()).execution_options(isolation_level="AUTOCOMMIT")
    name = f"entrepot_test_{uuid.uuid4().hex[:12]}"
    unreachable: DatabaseUnavailable | None = None
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except DatabaseUnavailable as exc:
        unreachable = exc
    if unreachable is not None:
        admin.engine.dispose()
        pytest.fail(
            f"PostgreSQL not reachable at {masked(server_url())}: {START_HINT}\n({unreachable})",
            pytrace=False,
        )
    try:
        yield admin.engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.engine.dispose()
