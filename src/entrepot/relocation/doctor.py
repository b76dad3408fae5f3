"""``entrepot doctor``'s view of store migrations: an open one, and objects elsewhere."""

from __future__ import annotations

from entrepot.catalog.relocation import journal, journal_items
from entrepot.catalog.relocation.placement import by_location, find_store_id, store_urls
from entrepot.catalog.relocation.records import ItemState, Tally
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.health import Check

_UNRECORDED_HOME = -1


def check_locations(uow_factory: UnitOfWorkFactory, home_url: str) -> list[Check]:
    """A warning while a migration is open, and one naming the stores other than the
    configured one (``home_url``) that hold objects."""
    with uow_factory() as uow:
        session = uow.session()
        home_id = find_store_id(session, home_url) or _UNRECORDED_HOME
        placed = by_location(session, home_id)
        urls = {**store_urls(session, placed), _UNRECORDED_HOME: home_url}
        migration = journal.open_migration(session)
        counts = journal_items.tally(session, migration.id) if migration is not None else {}
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
