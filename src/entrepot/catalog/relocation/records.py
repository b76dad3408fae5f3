"""Values of the store-migration service: plain frozen dataclasses, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class MigrationState(StrEnum):
    """Where a migration is in its life."""

    #: Objects are being copied and rows repointed; it can be resumed or rolled back.
    RUNNING = "running"
    #: ``--finalize`` started deleting the source copies; it can only be finalized.
    FINALIZING = "finalizing"
    #: Closed: the objects live at the destination.
    FINALIZED = "finalized"
    #: Closed: every row was pointed back at its source.
    ROLLED_BACK = "rolled_back"


class ItemState(StrEnum):
    """Where one object of a migration is."""

    #: Its row still points at the source; it waits to be copied (or checked) and repointed.
    PENDING = "pending"
    #: Copied, checked at the destination, and its row points there.
    REPOINTED = "repointed"
    #: It could not be copied or checked (see the error); its row points at the source.
    FAILED = "failed"
    #: Its object was deleted or changed during the migration; nothing was done.
    SKIPPED = "skipped"
    #: Its row was pointed back at the source by a rollback.
    ROLLED_BACK = "rolled_back"


@dataclass(frozen=True, slots=True)
class MigrationRecord:
    """One row of ``store_migrations``, with its destination's URL."""

    id: int
    destination: str
    prefix: str
    state: MigrationState
    runner: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    created_by: str
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        """Whether the migration may still change rows."""
        return self.state in (MigrationState.RUNNING, MigrationState.FINALIZING)


@dataclass(frozen=True, slots=True)
class Item:
    """One object of a migration, with its source's URL."""

    id: int
    object_id: int | None
    key: str
    sha256: str
    size: int
    source_id: int
    #: The source store's URL.
    source: str
    source_explicit: bool
    state: ItemState
    error: str | None
    #: No catalog row records it: found by listing the configured store (ADR 0038).
    listed: bool = False


def runner_alive(
    runner: str | None,
    beat: datetime | None,
    *,
    now: datetime,
    stale_after: timedelta,
    is_gone: Callable[[str], bool],
) -> bool:
    """Whether ``runner`` still works on a migration: named, its heartbeat ``beat`` younger
    than ``stale_after``, and not a process ``is_gone`` says has ended (the one rule both
    the journal's claim and ``move --status`` apply)."""
    if runner is None or beat is None or beat <= now - stale_after:
        return False
    return not is_gone(runner)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many objects and bytes."""

    objects: int = 0
    bytes: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.objects + other.objects, self.bytes + other.bytes)


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    """A migration and how many of its objects are in each state."""

    migration: MigrationRecord
    items: Mapping[ItemState, Tally]
    #: Whether the process the journal names as its runner still works on it (its
    #: heartbeat fresh and, on this host, its process alive); ``False`` without one.
    runner_alive: bool = False

    def count(self, state: ItemState) -> Tally:
        """The objects and bytes in ``state``."""
        return self.items.get(state, Tally())

    @property
    def interrupted(self) -> bool:
        """Whether a copy pass stopped before its end (Ctrl-C, a crash): the migration is
        running, no live process works on it, and objects still wait (``--resume``)."""
        m = self.migration
        waiting = self.count(ItemState.PENDING).objects + self.count(ItemState.FAILED).objects
        return m.state is MigrationState.RUNNING and not self.runner_alive and waiting > 0

    @property
    def phase(self) -> str:
        """What is true of it now, in one word: ``copying`` (a pass works on it),
        ``interrupted`` (a pass stopped before its end), ``copied`` (every object it could
        copy is at the destination and no pass runs: next ``--verify``, then
        ``--finalize`` or ``--rollback``), else its closed or finalizing state."""
        m = self.migration
        if m.state is not MigrationState.RUNNING:
            return str(m.state)
        if self.runner_alive:
            return "copying"
        return "interrupted" if self.interrupted else "copied"


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a pass over the objects is; given to ``on_progress`` after each object."""

    done: int
    total: int
    done_bytes: int
    total_bytes: int


@dataclass(frozen=True, slots=True)
class Failure:
    """An object a pass could not handle, and why."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunReport:
    """What one copy pass did."""

    migration: MigrationRecord
    repointed: Tally
    #: Objects already at the destination with the same bytes: checked, not sent again.
    reused: int
    failures: tuple[Failure, ...]
    skipped: tuple[Failure, ...]
    #: Why the pass stopped early (a store stopped answering or refused), or ``None``.
    aborted: Exception | None
    remaining: Tally
    seconds: float

    @property
    def complete(self) -> bool:
        """Whether every object in scope is at the destination."""
        return not self.failures and self.aborted is None and self.remaining.objects == 0


@dataclass(frozen=True, slots=True)
class UndoReport:
    """What a rollback, a verification or a finalization did."""

    migration: MigrationRecord
    #: Rows changed (pointed back), or objects found intact (verify).
    done: Tally
    #: Objects deleted (copies on rollback, sources on finalize).
    deleted: int
    problems: tuple[Failure, ...] = field(default=())
