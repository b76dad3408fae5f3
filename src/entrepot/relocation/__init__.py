"""Relocation: moving cataloged objects between stores, and reading them wherever they are.

In code this is *relocation*; each run of ``entrepot migrate`` is a *store migration*
recorded in the catalog's journal (``catalog/relocation/``). Schema changes are
something else: the Alembic *migrations* of ``catalog/migrations/``. Use
:class:`StoreMigrations` (``entrepot.relocation.service``); ``entrepot migrate`` is its
CLI. :class:`LocatedStore` is the store the application reads through, so that every
read follows the catalog's location of each object (ADR 0005).
"""

from entrepot.catalog.relocation.records import (
    Failure,
    ItemState,
    MigrationRecord,
    MigrationState,
    MigrationStatus,
    Progress,
    RunReport,
    Tally,
    UndoReport,
)
from entrepot.relocation.locations import CatalogLocator, LocatedStore, StoreOpener
from entrepot.relocation.service import StoreMigrations

__all__ = [
    "CatalogLocator",
    "Failure",
    "ItemState",
    "LocatedStore",
    "MigrationRecord",
    "MigrationState",
    "MigrationStatus",
    "Progress",
    "RunReport",
    "StoreMigrations",
    "StoreOpener",
    "Tally",
    "UndoReport",
]
