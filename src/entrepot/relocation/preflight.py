"""Before any row changes: can the destination serve, and does it hold other bytes?

:func:`probe` puts, reads, lists and deletes a probe object (``entrepot.health``'s
permission probes) and raises the first refusal as the error it is. :func:`scan` lists
the destination under the migration's folder and sorts the keys being migrated that it
already holds into the same bytes (reused, not sent again) and other bytes (conflicts).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from entrepot.errors import AccessDenied, EntrepotError, ObjectNotFound
from entrepot.health import probe_permissions
from entrepot.relocation.errors import DestinationConflict
from entrepot.storage.protocols import Head, List, Store
from entrepot.storage.types import ObjectInfo

#: How many conflicting keys an error names.
NAMED_CONFLICTS = 10


class Listable(Head, List, Protocol):
    """A store that can list and head (a Protocol union)."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the catalog records of an object being migrated."""

    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Scan:
    """Keys being migrated that the destination already holds."""

    #: Same size and sha256: nothing to send.
    present: frozenset[str]
    #: ``(key, reason)``: other bytes, or no recorded sha256.
    conflicts: tuple[tuple[str, str], ...]


def probe(store: Store) -> None:
    """Raise the destination's first refusal: unreachable (``StoreUnavailable``) or a
    missing permission (``AccessDenied``), naming the operation."""
    for check in probe_permissions(store):
        if check.ok:
            continue
        if isinstance(check.error, EntrepotError):
            raise check.error
        raise AccessDenied(f"the destination failed the {check.name} probe: {check.detail}")


def classify(wanted: Mapping[str, Wanted], found: Mapping[str, ObjectInfo]) -> Scan:
    """Sort the destination's objects (``found``, with their recorded sha256) among the
    keys ``wanted``: a pure function."""
    present: set[str] = set()
    conflicts: list[tuple[str, str]] = []
    for key in sorted(set(wanted) & set(found)):
        want, info = wanted[key], found[key]
        if info.sha256 == want.sha256 and info.size == want.size:
            present.add(key)
        elif info.sha256 is None:
            conflicts.append((key, f"the destination holds {info.size} bytes with no sha256"))
        else:
            conflicts.append(
                (
                    key,
                    f"the destination holds {info.size} bytes with sha256 {info.sha256}, "
                    f"the catalog records {want.size} bytes with sha256 {want.sha256}",
                )
            )
    return Scan(frozenset(present), tuple(conflicts))


def scan(store: Listable, wanted: Mapping[str, Wanted], *, prefix: str, jobs: int) -> Scan:
    """List ``store`` under ``prefix``, ``head`` the keys also in ``wanted``, classify."""
    listed = [info.key for info in store.list(prefix) if info.key in wanted]

    def head(key: str) -> ObjectInfo | None:
        try:
            return store.head(key)
        except ObjectNotFound:  # deleted since the listing
            return None

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        infos = list(pool.map(head, listed))
    return classify(wanted, {i.key: i for i in infos if i is not None})


def refuse_conflicts(result: Scan, destination: str) -> None:
    """Raise :class:`DestinationConflict` naming the first conflicts, if any."""
    if not result.conflicts:
        return
    shown = "; ".join(f"{key}: {why}" for key, why in result.conflicts[:NAMED_CONFLICTS])
    more = len(result.conflicts) - NAMED_CONFLICTS
    raise DestinationConflict(
        f"{destination} already holds other bytes under {len(result.conflicts)} key(s) being "
        f"migrated; no row was changed. {shown}" + (f" (and {more} more)" if more > 0 else "")
    )
