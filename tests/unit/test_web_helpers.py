"""Helpers shared by the web service's tests (accounts, jobs, API, pages).

Plain functions, not fixtures, so that every test module states its fixtures itself.
The few tests here check the helpers do what the others rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, inspect

from entrepot.catalog.app_uow import AppUnitOfWorkFactory, app_unit_of_work_factory
from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade

#: A strong enough password for the tests.
PASSWORD = "correct horse battery staple"


def migrated_engine(folder: Path) -> Engine:
    """A SQLite catalog in ``folder``, migrated to the newest revision."""
    engine = make_engine(f"sqlite:///{folder / 'catalog.db'}")
    upgrade(engine)
    return engine


def uow_factory(folder: Path) -> tuple[Engine, AppUnitOfWorkFactory]:
    """A migrated engine and the web service's unit of work over it."""
    engine = migrated_engine(folder)
    return engine, app_unit_of_work_factory(engine)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_migrated_engine_has_the_web_tables(tmp_path: Path) -> None:
    engine = migrated_engine(tmp_path)
    names = set(inspect(engine).get_table_names())
    assert {"users", "api_tokens", "licences", "jobs", "datasets", "predictions"} <= names


def test_fake_clock_moves_only_when_told() -> None:
    clock: Callable[[], datetime] = FakeClock()
    first = clock()
    assert clock() == first
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)
    assert clock() - first == timedelta(days=1)
