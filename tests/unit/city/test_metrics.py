"""The metrics store conformance suite, run here on SQLite and MongoDB (mongomock).

The tests live in ``tests/support/suites/city_metrics.py``, which ``tests/integration`` runs
again on PostgreSQL; here they run on SQLite."""

from __future__ import annotations

from tests.support.suites.city_metrics import (  # noqa: F401 - collected here
    TestMongo,
    TestSqliteCatalog,
    TestSqliteOwnDatabase,
    test_canonical_numbers,
    test_dynamo_url_options_are_checked,
    test_dynamo_without_credentials_says_so,
    test_mongo_store_from_url_does_not_connect_until_used,
    test_mongo_url_options_and_masking,
    test_open_metrics_by_scheme,
    test_sql_refuses_an_unmigrated_catalog,
)
