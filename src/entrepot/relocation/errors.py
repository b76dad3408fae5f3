"""Store-migration errors: each names the migration, the store and the object concerned.

::

    MigrationError (EntrepotError)
    ├── MigrationOpen                      another migration is open, or being worked on
    ├── MigrationInterrupted               Ctrl-C (SIGINT) stopped a pass: --resume
    ├── NoMigration (RecordNotFound)       nothing to resume, verify, roll back or finalize
    ├── MigrationIncomplete                finalize refused: objects still failed or pending
    │   └── LeftBehind                     finalize refused: home holds objects not moved
    └── DestinationConflict (ObjectExists) the destination holds other bytes under a key
"""

from __future__ import annotations

from entrepot.errors import EntrepotError, ObjectExists, RecordNotFound
from entrepot.messages import N_, Message

#: A migration's state as a catalog word (``Word(STATE_WORDS[state])``).
STATE_WORDS: dict[str, str] = {
    "running": N_("move.state.running"),
    "finalizing": N_("move.state.finalizing"),
    "finalized": N_("move.state.finalized"),
    "rolled_back": N_("move.state.rolled_back"),
}


class MigrationError(EntrepotError):
    """A store migration cannot proceed."""


class MigrationOpen(MigrationError):
    """Another migration is open, or another process is working on this one."""

    hint = "continue it with `entrepot move --resume`, or end it with `--rollback` or `--finalize`"


class MigrationInterrupted(MigrationError):
    """A pass was interrupted (Ctrl-C): the journal holds it open with no runner, every row
    still points at a verified object, and ``--resume`` continues it."""

    hint = "continue it with `entrepot move --resume`"

    def __init__(self, migration_id: int) -> None:
        super().__init__(
            f"migration {migration_id} was interrupted; every row points at a verified object",
            said=Message(N_("move.interrupted"), {"id": migration_id}),
        )
        self.migration_id = migration_id


class NoMigration(MigrationError, RecordNotFound):
    """No open migration to resume, verify, roll back or finalize."""

    hint = "start one with `entrepot move --to URL`"


class MigrationIncomplete(MigrationError):
    """Finalizing was refused: some objects did not reach the destination."""

    hint = "run `entrepot move --resume` to retry them, or `entrepot move --rollback` to give up"


class LeftBehind(MigrationIncomplete):
    """Finalizing was refused: the configured store holds objects the migration did not
    move (outside its folder)."""

    hint = (
        "finalize anyway with `entrepot move --finalize --force` (cataloged objects stay "
        "readable where they are, the others stay there unreferenced), or `entrepot move "
        "--rollback` and move the whole store (no --prefix)"
    )


class DestinationConflict(MigrationError, ObjectExists):
    """The destination already holds different bytes under a key being migrated."""

    hint = (
        "the destination is not empty: pick an empty bucket or prefix, or remove those objects "
        "from the destination if they are stale"
    )
