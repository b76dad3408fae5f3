"""The catalog on PostgreSQL: the unit-test classes again, plus what only a server shows."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from entrepot.catalog.engine import make_engine
from entrepot.catalog.uow import unit_of_work_factory
from entrepot.errors import CatalogError
from tests.support.suites import catalog_migrations as migrations
from tests.support.suites import catalog_repository as repository
from tests.support.waiting import HANG_GUARD

pytestmark = pytest.mark.postgres


class TestUnitOfWorkOnPostgres(repository.TestUnitOfWork):
    pass


class TestDamageRegisterOnPostgres(repository.TestDamageRegister):
    pass


class TestObjectRepositoryOnPostgres(repository.TestObjectRepository):
    pass


class TestMigrationsOnPostgres(migrations.TestMigrations):
    pass


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_plain_postgres_urls_connect(engine: Engine, scheme: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    aliased = make_engine(url.replace("postgresql+psycopg://", scheme, 1))
    try:
        with aliased.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        aliased.dispose()


def test_concurrent_writers_of_one_key_record_it_once(engine: Engine) -> None:
    factory = unit_of_work_factory(engine)
    first_added = threading.Event()
    outcome: list[BaseException | None] = []

    def second_writer() -> None:
        first_added.wait(timeout=HANG_GUARD)
        try:
            with factory() as uow:
                repository.add(uow, "race/key")
                uow.commit()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=second_writer)
    thread.start()
    with factory() as uow:
        first = repository.add(uow, "race/key")
        first_added.set()  # the second INSERT now waits on this transaction's unique entry
        thread.join(timeout=0.5)
        uow.commit()
    thread.join(timeout=HANG_GUARD)
    assert len(outcome) == 1
    assert isinstance(outcome[0], CatalogError)
    with factory() as uow:
        assert uow.objects.get("race/key") == first
