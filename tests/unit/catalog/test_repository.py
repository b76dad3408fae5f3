"""The objects repository and the unit of work, on SQLite.

The tests live in ``tests/support/suites/catalog_repository.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.catalog_repository import (  # noqa: F401 - collected here
    TestDamageRegister,
    TestObjectRepository,
    TestUnitOfWork,
    engine,
)
