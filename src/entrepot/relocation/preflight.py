"""Before any row changes: can the destination serve, and does it hold other bytes?

:func:`probe` puts, reads, lists and deletes a probe object (``entrepot.health``'s
permission probes) and raises the first refusal as the error it is. :func:`scan` lists
the destination under the migration's folder and sorts the keys being migrated that it
already holds into the same bytes (reused, not sent again), other bytes (conflicts), and
copies a killed run left without their checksum (a local store's sidecar): re-read and
hashed, they are ``unfinished`` when their bytes are the catalog's, and
:func:`clear_unfinished` removes them so the run sends them again, complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from entrepot.errors import AccessDenied, EntrepotError, IntegrityError, ObjectNotFound
from entrepot.health import probe_permissions
from entrepot.messages import N_, Message
from entrepot.relocation.errors import DestinationConflict
from entrepot.storage.protocols import Delete, Get, List, Store
from entrepot.storage.types import ObjectInfo

#: How many conflicting keys an error names.
NAMED_CONFLICTS = 10


class Listable(Get, List, Protocol):
    """A store that can list, head and read (a Protocol union)."""


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
    #: No recorded sha256 (a run killed between the object and its checksum), but the
    #: catalog's bytes once re-read: to be sent again.
    unfinished: frozenset[str] = frozenset()


def probe(store: Store) -> None:
    """Raise the destination's first refusal: unreachable (``StoreUnavailable``) or a
    missing permission (``AccessDenied``), naming the operation."""
    for check in probe_permissions(store):
        if check.ok:
            continue
        if isinstance(check.error, EntrepotError):
            raise check.error
        raise AccessDenied(
            f"the destination failed the {check.name} probe: {check.detail}",
            said=Message(
                N_("error.relocation.probe_failed"), {"probe": check.name, "detail": check.detail}
            ),
        )


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
    """List ``store`` under ``prefix``, ``head`` the keys also in ``wanted``, classify;
    an object of the catalog's size with no recorded sha256 is read and hashed."""
    listed = [info.key for info in store.list(prefix) if info.key in wanted]

    def head(key: str) -> tuple[ObjectInfo | None, bool]:
        try:
            info = store.head(key)
            want = wanted[key]
            return info, info.sha256 is None and info.size == want.size and _holds(
                store, key, want.sha256
            )
        except ObjectNotFound:  # deleted since the listing
            return None, False

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        heads = list(pool.map(head, listed))
    unfinished = frozenset(i.key for i, same in heads if i is not None and same)
    found = {i.key: i for i, _ in heads if i is not None and i.key not in unfinished}
    result = classify(wanted, found)
    return Scan(result.present, result.conflicts, unfinished)


def _holds(store: Get, key: str, sha256: str) -> bool:
    """Whether ``key`` holds bytes hashing to ``sha256`` (read through, never kept)."""
    chunks = store.open_stream(key, sha256=sha256).chunks
    try:
        for _ in chunks:
            pass
    except IntegrityError:
        return False
    finally:
        chunks.close()
    return True


def clear_unfinished(store: Delete, result: Scan) -> None:
    """Remove the copies a killed run left without their checksum (their bytes were
    checked to be the catalog's, and no row points at them yet): the run sends them again
    and the destination records their checksum."""
    for key in sorted(result.unfinished):
        store.delete(key, missing_ok=True)


def refuse_conflicts(result: Scan, destination: str) -> None:
    """Raise :class:`DestinationConflict` naming the first conflicts, if any."""
    if not result.conflicts:
        return
    shown = "; ".join(f"{key}: {why}" for key, why in result.conflicts[:NAMED_CONFLICTS])
    more = len(result.conflicts) - NAMED_CONFLICTS
    raise DestinationConflict(
        f"{destination} already holds other bytes under {len(result.conflicts)} key(s) being "
        f"migrated; no row was changed. {shown}" + (f" (and {more} more)" if more > 0 else ""),
        said=Message(
            N_("error.relocation.destination_conflict"),
            {"destination": destination, "conflicts": len(result.conflicts), "first": shown},
        ),
    )
