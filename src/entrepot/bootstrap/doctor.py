"""``entrepot doctor``: a round trip through every configured part of an instance."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.health import Check
    from entrepot.storage.protocols import Store


def diagnose(home: Store, engine: Engine, cache_dir: Path, *, remote: bool) -> list[Check]:
    """The store (put, get, list, delete), the catalog, where the catalog places objects,
    the cache folder, and whether a local store will outlive its container."""
    from entrepot.catalog.uow import unit_of_work_factory
    from entrepot.config import detected_platform
    from entrepot.health import check_database, check_folder, check_store, durability
    from entrepot.relocation.doctor import check_locations

    checks = check_store(home)
    database = check_database(engine)
    checks.append(database)
    if database.ok:
        # Not the App's units of work: a diagnosis reports a schema behind, never stops.
        checks += check_locations(unit_of_work_factory(engine), home.url)
    checks.append(check_folder("cache folder", cache_dir))
    warning = durability(detected_platform(), remote=remote)
    return [*checks, warning] if warning is not None else checks
