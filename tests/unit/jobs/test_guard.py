"""The job guard on a SQLite catalog; the tests live in ``tests/support/suites/jobs_guard.py``,
which ``tests/integration`` runs again on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.catalog import sqlite_engine
from tests.support.suites.jobs_guard import TestJobGuard  # noqa: F401 - collected here


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)
