"""Store migration on in-memory stores and a SQLite catalog: copy, check, repoint, resume,
verify, roll back, finalize, and the faults in between.

The tests live in ``tests/support/suites/relocation_service.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.relocation_listed import (  # noqa: F401 - collected here
    TestLeftBehind,
    TestListedLocal,
    TestListedObjects,
)
from tests.support.suites.relocation_service import (  # noqa: F401 - collected here
    TestBadDestination,
    TestFaults,
    TestFinalize,
    TestHomeIsTheStoreItself,
    TestLookOnly,
    TestMigrate,
    TestRollback,
    TestRunners,
    TestTransfer,
    TestVerify,
    engine,
)
