"""Keeping an installation clean and sound: ``entrepot gc`` (what a crash left) and
``entrepot verify`` (every row against the store; damage registered, repaired from the
cache's verified copy). One call each for the command line; the rules (which folders are
managed, where temporaries lie, what is damaged) live in the services this composes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.services.gc import GcReport, GcStore, UploadsReport, abort_stale_uploads
from entrepot.services.gc import collect_garbage as collect_orphans
from entrepot.services.records import Verified
from entrepot.services.repair import (
    CachedCopies,
    RepairTarget,
    assess,
    register,
    repair,
)
from entrepot.services.temporaries import TempArea, TempReport, collect_temporaries
from entrepot.services.verify import verify_catalog


class CheckedStore(RepairTarget, Protocol):
    """Where ``verify`` reads each object (where the catalog places it) and repairs it."""

    def url_of(self, key: str) -> str:
        """The URL of the store holding ``key``."""
        ...


@dataclass(frozen=True, slots=True)
class Collected:
    """What ``gc`` found (and removed, unless a dry run): orphan objects, stale temporary
    files, incomplete multipart uploads."""

    orphans: GcReport
    temporaries: TempReport
    uploads: UploadsReport


class Maintenance:
    """``gc`` and ``verify`` over one installation's stores, catalog, cache and folders:
    ``home`` is where new objects go (``gc`` looks there), ``located`` reads each object
    where the catalog places it (``verify`` checks and repairs there)."""

    def __init__(
        self,
        home: GcStore,
        located: CheckedStore,
        uow_factory: UnitOfWorkFactory,
        *,
        prefixes: Sequence[str],
        temp_areas: Callable[[], Sequence[TempArea]],
        cache: CachedCopies | None,
    ) -> None:
        self._home = home
        self._located = located
        self._uow = uow_factory
        self._prefixes = tuple(prefixes)
        self._temp_areas = temp_areas
        self._cache = cache

    def collect(self, *, grace: timedelta, dry_run: bool) -> Collected:
        """Remove (or, ``dry_run``, list) what is older than ``grace`` and nothing refers
        to: objects no row records in the managed folders, temporaries, stale uploads."""
        return Collected(
            orphans=collect_orphans(
                self._home, self._uow, prefixes=self._prefixes, grace=grace, dry_run=dry_run
            ),
            temporaries=collect_temporaries(self._temp_areas(), grace=grace, dry_run=dry_run),
            uploads=abort_stale_uploads(
                self._home, prefixes=self._prefixes, grace=grace, dry_run=dry_run
            ),
        )

    def verify(
        self,
        *,
        deep: bool,
        prefix: str | None = None,
        repair_damage: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Verified:
        """Check every row (under ``prefix``) against the store (``deep``: rehash), record
        what is damaged in the register (``/health`` counts it) and, with
        ``repair_damage``, write the cache's verified copies back."""
        report = verify_catalog(
            self._located, self._uow, deep=deep, prefix=prefix, on_progress=on_progress
        )
        findings = assess(report, self._uow, self._cache)
        register(self._uow, findings, prefix=prefix)
        repaired = (
            repair(self._located, self._uow, findings) if repair_damage and findings else None
        )
        stores = {p.key: self._located.url_of(p.key) for p in report.problems}
        return Verified(report, findings, repaired, stores)
