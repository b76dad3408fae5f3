"""The job guard on PostgreSQL (row locks instead of SQLite's one writer)."""

from __future__ import annotations

import pytest

from tests.support.suites import jobs_guard

pytestmark = pytest.mark.postgres


class TestJobGuardOnPostgres(jobs_guard.TestJobGuard):
    pass
