"""``entrepot doctor``'s view of store migrations: an open one, and objects elsewhere."""

from __future__ import annotations

from entrepot.catalog.relocation.records import ItemState, Tally
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.health import Check

_UNRECORDED_HOME = -1


def check_locations(uow_factory: UnitOfWorkFactory, home_url: str) -> list[Check]:
    """A warning while a migration is open, and one naming the stores other than the
    configured one (``home_url``) that hold objects."""
    with uow_factory() as uow:
        home_id = uow.journal.find_store_id(home_url) or _UNRECORDED_HOME
        placed = uow.journal.by_location(home_id)
        urls = {**uow.journal.store_urls(placed), _UNRECORDED_HOME: home_url}
        migration = uow.journal.open_migration()
        counts = uow.journal.tally(migration.id) if migration is not None else {}
    checks = []
    if migration is not None:
        done, left = (
            counts.get(ItemState.REPOINTED, Tally()),
            counts.get(ItemState.PENDING, Tally()),
        )
        failed = counts.get(ItemState.FAILED, Tally())
        checks.append(
            Check(
                "store migration",
                True,
                f"migration {migration.id} to {migration.destination} is {migration.state}: "
                f"{done.objects} moved, {left.objects} pending, {failed.objects} failed; "
                "continue with `entrepot move --resume`, end with --finalize or --rollback",
                warning=True,
            )
        )
    elsewhere = {urls[s]: t for s, t in placed.items() if s != home_id}
    if not elsewhere:
        checks.append(Check("object locations", True, "every object is in the configured store"))
        return checks
    listed = "; ".join(f"{t.objects} object(s) in {url}" for url, t in sorted(elsewhere.items()))
    hint = ""
    if migration is None and len(elsewhere) == 1 and home_id not in placed:
        hint = f": set ENTREPOT_STORE_URL={next(iter(elsewhere))} (a migration was finalized)"
    checks.append(
        Check(
            "object locations", True, f"outside the configured store: {listed}{hint}", warning=True
        )
    )
    return checks
