"""The write protocol, gc and verify on PostgreSQL: the unit-test classes again."""

from __future__ import annotations

import pytest

from tests.support.suites import services_gc as gc
from tests.support.suites import services_objects as objects
from tests.support.suites import services_verify as verify

pytestmark = pytest.mark.postgres


class TestObjectServiceOnPostgres(objects.TestObjectService):
    pass


class TestCollectGarbageOnPostgres(gc.TestCollectGarbage):
    pass


class TestVerifyCatalogOnPostgres(verify.TestVerifyCatalog):
    pass
