"""What every registry verb works with: the store, the cache, the catalog and who acts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from entrepot.catalog.reads import ReadsFactory
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.registry.keys import KeyRingService
from entrepot.registry.layout import Namespace
from entrepot.storage.protocols import Materialize, Store


@dataclass(frozen=True)
class Context:
    """The registry's collaborators, shared by the verb modules."""

    #: The store itself (not the cache): writes, deletes, signs and deep verification.
    store: Store
    #: Verified local files for reads (the read-through cache).
    materializer: Materialize
    uow_factory: UnitOfWorkFactory
    #: The hot reads: the read-only unit of work (``catalog/reads.py``).
    reads: ReadsFactory
    #: The instance secret (it opens the key ring).
    secret: str
    #: The key ring that signs the versions this installation pushes and verifies them.
    keys: KeyRingService
    #: Who acts (recorded as ``created_by`` and ``updated_by``).
    actor: str
    space: Namespace
    clock: Callable[[], datetime]

    def label(self, name: str, version: str | None = None) -> str:
        """``name@version`` as a message shows it, with the owner for a user's model."""
        ref = name if version is None else f"{name}@{version}"
        return ref if self.space.owner is None else f"{ref} (user {self.space.owner})"
