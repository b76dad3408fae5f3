"""What ``entrepot move --estimate`` and ``--dry-run`` answer: records only, so that the
command line renders them without importing the migration machinery."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from entrepot.catalog.relocation.records import MigrationRecord, Tally
from entrepot.relocation.prices import PRICES_AS_OF, Cost


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a migration of the objects under ``prefix`` would move, and what it costs."""

    prefix: str
    #: Stored objects in scope (what a migration moves).
    objects: Tally
    by_kind: Mapping[str, Tally]
    #: Where they are now, by store URL.
    by_store: Mapping[str, Tally]
    #: Quarantined objects: never moved, they stay where they are.
    quarantined: Tally
    #: Objects in the configured store under ``prefix`` that the catalog does not record
    #: (the city lake's raw partitions...): a migration finds them by listing and moves
    #: them too.
    uncataloged: Tally
    #: The same, per folder two levels deep (``raw/api/``; ``""``: the top level).
    uncataloged_by_prefix: Mapping[str, Tally]
    costs: tuple[Cost, ...]
    #: The date of the list prices the costs use.
    prices_as_of: str = PRICES_AS_OF


@dataclass(frozen=True, slots=True)
class DryRun:
    """What ``entrepot move --to URL`` would do now."""

    destination: str
    prefix: str
    #: The migration a run would continue (``None``: it would open one).
    open: MigrationRecord | None
    #: Objects it would copy, per source store URL.
    to_copy: Mapping[str, Tally]
    #: Objects the destination already holds with the same bytes: checked, not sent.
    reused: Tally
    #: ``(key, reason)``: keys under which the destination holds other bytes; a run
    #: would stop on them before changing any row.
    conflicts: tuple[tuple[str, str], ...]
    #: Objects already located at the destination.
    already_there: Tally
    quarantined: Tally
    #: Objects of home no row records, found by listing: copied (or checked) too.
    listed: Tally = field(default_factory=Tally)
