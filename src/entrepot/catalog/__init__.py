"""The SQL catalog: SQLite or PostgreSQL from one URL, the same models and migrations.

Open it with :func:`make_engine`, bring the schema up with
:func:`entrepot.catalog.migrate.upgrade`, and work through a unit of work from
:func:`unit_of_work_factory`. This package never imports ``entrepot.storage``.
"""

from entrepot.catalog import city_tables as city_tables  # registers its tables on Base
from entrepot.catalog.engine import make_engine
from entrepot.catalog.records import ObjectRecord, ObjectState, Usage
from entrepot.catalog.repository import ObjectRepository
from entrepot.catalog.uow import SqlUnitOfWork, UnitOfWork, UnitOfWorkFactory, unit_of_work_factory

__all__ = [
    "ObjectRecord",
    "ObjectRepository",
    "ObjectState",
    "SqlUnitOfWork",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "Usage",
    "make_engine",
    "unit_of_work_factory",
]
