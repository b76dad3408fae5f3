"""Moving cataloged objects between stores, and reading them wherever they are.

Use :class:`StoreMigrations` (``entrepot.migration.service``); ``entrepot migrate`` is its
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
from entrepot.migration.locations import CatalogLocator, LocatedStore, StoreOpener
from entrepot.migration.service import StoreMigrations

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
