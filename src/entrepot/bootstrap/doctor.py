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


def check_training_device(device: str) -> Check:
    """Whether the search's XGBoost trials can boost on ``device`` (the
    ``training_device`` setting): a GPU asked for where none answers fails here, before a
    training does (ADR 0103)."""
    from entrepot.errors import EntrepotError
    from entrepot.fraud.train.devices import check_device
    from entrepot.health import Check

    try:
        check_device(device)
    except EntrepotError as exc:
        return Check("training device", False, str(exc), error=exc)
    return Check("training device", True, f"{device}: XGBoost boosts there")
