"""Pull, verification against the catalog, aliases, deletes, user namespaces, references.

The tests live in ``tests/support/suites/registry_reads.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.registry_reads import (  # noqa: F401 - collected here
    TestAliases,
    TestDelete,
    TestDeleteFailures,
    TestNotesAndFiles,
    TestOwners,
    TestPull,
    TestReferences,
    TestVerify,
    TestWiring,
    engine,
)
