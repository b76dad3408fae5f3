"""Read-only looks at a migration before running it: ``--estimate`` and ``--dry-run``.

Neither writes anything: no catalog row, no object, no probe (so the destination's
permissions are checked by the real run, or by ``entrepot doctor``).
"""

from __future__ import annotations

from collections.abc import Mapping

from entrepot.catalog.relocation.records import Tally
from entrepot.relocation.listed import by_prefix, uncataloged
from entrepot.relocation.parts import PAGE, Context
from entrepot.relocation.preflight import Wanted, scan
from entrepot.relocation.prices import Price, estimate
from entrepot.relocation.records import DryRun, Estimate
from entrepot.storage.keys import normalize_prefix

#: Stand-ins for stores the catalog has not recorded yet (no row can be there).
_UNRECORDED_HOME = -1
_UNRECORDED_DESTINATION = -2


def survey(
    ctx: Context, prefix: str, prices: Mapping[str, Price], *, reads_per_month: int = 0
) -> Estimate:
    """Count, locate and price the objects under ``prefix`` (see :class:`Estimate`)."""
    folder = normalize_prefix(prefix) if prefix else ""
    found = [(e.key, e.size) for e in uncataloged(ctx, folder, hash_missing=False)]
    stray = by_prefix(found)
    strays = sum(stray.values(), Tally())
    with ctx.unit() as uow:
        home_id = uow.journal.find_store_id(ctx.home.url) or _UNRECORDED_HOME
        by_kind = uow.journal.by_kind(folder)
        located = uow.journal.by_store(folder, home_id)
        urls = {**uow.journal.store_urls(located), _UNRECORDED_HOME: ctx.home.url}
        quarantined = uow.journal.quarantined(folder)
        objects = sum(by_kind.values(), Tally())

        def billable(minimum: int) -> int:
            return uow.journal.billable_bytes(folder, minimum)

        costs = estimate(
            prices,
            objects=objects.objects + strays.objects,
            size=objects.bytes + strays.bytes,
            billable=lambda minimum: billable(minimum) + sum(max(n, minimum) for _, n in found),
            reads_per_month=reads_per_month,
        )
    return Estimate(
        prefix=folder,
        objects=objects,
        by_kind=by_kind,
        by_store={urls[s]: v for s, v in located.items()},
        quarantined=quarantined,
        uncataloged=strays,
        uncataloged_by_prefix=stray,
        costs=tuple(costs),
    )


def dry_run(ctx: Context, destination_url: str, prefix: str, *, jobs: int) -> DryRun:
    """What a run to ``destination_url`` would do (see :class:`DryRun`); reads only."""
    folder = normalize_prefix(prefix) if prefix else ""
    destination = ctx.store(destination_url)
    with ctx.unit() as uow:
        found = uow.journal.open_migration()
        home_id = uow.journal.find_store_id(ctx.home.url) or _UNRECORDED_HOME
        destination_id = uow.journal.find_store_id(destination.url) or _UNRECORDED_DESTINATION
        already = uow.journal.at_store(folder, home_id, destination_id)
    wanted = {e.key: Wanted(e.sha256, e.size) for e in uncataloged(ctx, folder)}
    strays = Tally(len(wanted), sum(w.size for w in wanted.values()))
    sources: dict[int, Tally] = {}
    after: str | None = None
    while True:
        with ctx.unit() as uow:
            page = uow.journal.candidates(
                prefix=folder,
                home_id=home_id,
                destination_id=destination_id,
                after=after,
                limit=PAGE,
            )
        for c in page:
            wanted[c.key] = Wanted(c.sha256, c.size)
            sources[c.source_id] = sources.get(c.source_id, Tally()) + Tally(1, c.size)
        if len(page) < PAGE:
            break
        after = page[-1].key
    if strays.objects:  # always in home: no row places them anywhere else
        sources[home_id] = sources.get(home_id, Tally()) + strays
    with ctx.unit() as uow:
        urls = {**uow.journal.store_urls(sources), _UNRECORDED_HOME: ctx.home.url}
        quarantined = uow.journal.quarantined(folder)
    result = scan(destination, wanted, prefix=folder, jobs=jobs)
    reused = Tally(len(result.present), sum(wanted[k].size for k in result.present))
    return DryRun(
        listed=strays,
        destination=destination.url,
        prefix=folder,
        open=found,
        to_copy={urls[s]: t for s, t in sources.items()},
        reused=reused,
        conflicts=result.conflicts,
        already_there=already,
        quarantined=quarantined,
    )
