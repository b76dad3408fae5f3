"""Garbage collection on the in-memory store and a SQLite catalog.

The tests live in ``tests/support/suites/services_gc.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.services_gc import (  # noqa: F401 - collected here
    TestCollectGarbage,
    engine,
    test_managed_folders,
)
