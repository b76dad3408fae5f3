"""Relocation: moving a store's objects (cataloged or listed) to another store, and
reading them wherever they are.

In code this is *relocation*; each run of ``entrepot move`` is a *store migration*
recorded in the catalog's journal (``catalog/relocation/``). Schema changes are
something else: the Alembic *migrations* of ``catalog/migrations/``. Use
:class:`StoreMigrations` (``entrepot.relocation.service``); ``entrepot move`` is its
CLI. :class:`LocatedStore` is the store the application reads through, so that every
read follows the catalog's location of each object (ADR 0005).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each public name lives: imported on first use, so that reading through a
#: :class:`LocatedStore` (every command) does not load the migration machinery.
_RECORDS = (
    "Failure",
    "ItemState",
    "MigrationRecord",
    "MigrationState",
    "MigrationStatus",
    "Progress",
    "RunReport",
    "Tally",
    "UndoReport",
)
_HOMES = {
    **dict.fromkeys(_RECORDS, "entrepot.catalog.relocation.records"),
    **dict.fromkeys(
        ("CatalogLocator", "LocatedStore", "StoreOpener"), "entrepot.relocation.locations"
    ),
    "StoreMigrations": "entrepot.relocation.service",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)


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
