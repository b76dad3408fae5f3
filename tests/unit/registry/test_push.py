"""Push: versions, the write order, bad input that stores nothing, failures and crashes.

The tests live in ``tests/support/suites/registry_push.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.registry_push import (  # noqa: F401 - collected here
    TestPush,
    engine,
    model_dir,
    test_a_crash_mid_push_leaves_no_ready_row_and_gc_removes_the_leftovers,
)
