"""Loading every flavor for real, and refusing what is unsafe: pickles without this
installation's signature, torch files that are not plain weights, untrusted skops types.

The tests live in ``tests/support/suites/registry_loading.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.registry_loading import (  # noqa: F401 - collected here
    TestPickles,
    TestSafeFormats,
    engine,
    test_flavor_detection,
)
