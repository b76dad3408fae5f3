"""Alembic migrations, driven from code, on SQLite.

The tests live in ``tests/support/suites/catalog_migrations.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.catalog_migrations import (  # noqa: F401 - collected here
    TestMigrations,
    blank_engine,
)
