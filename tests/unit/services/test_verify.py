"""Catalog verification on the in-memory store and a SQLite catalog.

The tests live in ``tests/support/suites/services_verify.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.services_verify import (  # noqa: F401 - collected here
    TestVerifyCatalog,
    engine,
)
