"""Migrated SQLite catalogs for tests (PostgreSQL ones come from tests/integration)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.uow import UnitOfWorkFactory, unit_of_work_factory


def migrated_engine(folder: Path) -> Engine:
    """A SQLite catalog in ``folder``, migrated to the newest revision."""
    engine = make_engine(f"sqlite:///{folder / 'catalog.db'}")
    upgrade(engine)
    return engine


def uow_factory(folder: Path) -> tuple[Engine, UnitOfWorkFactory]:
    """A migrated engine and the unit of work over it."""
    engine = migrated_engine(folder)
    return engine, unit_of_work_factory(engine)


def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite catalog in ``tmp_path`` (for a module's ``engine`` fixture)."""
    engine = migrated_engine(tmp_path)
    yield engine
    engine.dispose()
