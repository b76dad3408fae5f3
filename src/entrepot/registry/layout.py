"""Where a model version's objects live in the store.

Shared models are under ``models/{name}/{version}/{path}``; a user's under
``users/{id}/models/{name}/{version}/{path}``, written through ``store.scoped("users/{id}/")``
so that no name, version or path can reach outside the user's folder. The catalog records
full keys (from the store's root), which is what ``gc`` and ``verify`` list.
"""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.registry.names import MANIFEST_PATH, check_segment
from entrepot.storage.protocols import Store


@dataclass(frozen=True, slots=True)
class Namespace:
    """The shared models (``owner=None``) or one owner's."""

    owner: str | None = None

    def __post_init__(self) -> None:
        if self.owner is not None:
            check_segment(self.owner, "owner id")

    @property
    def id(self) -> str:
        """The catalog's namespace column: ``""`` for shared models, else the owner id."""
        return self.owner or ""

    @property
    def root(self) -> str:
        """The folder of this namespace's objects from the store's root (``""`` or
        ``users/{id}/``)."""
        return "" if self.owner is None else f"users/{self.owner}/"

    def view(self, store: Store) -> Store:
        """The store as this namespace writes to it: itself, or a view locked to the user."""
        return store if self.owner is None else store.scoped(self.root)

    def key(self, name: str, version: str, path: str) -> str:
        """A file's key inside :meth:`view`."""
        return f"models/{name}/{version}/{path}"

    def manifest_key(self, name: str, version: str) -> str:
        """The manifest's key inside :meth:`view`."""
        return self.key(name, version, MANIFEST_PATH)

    def full(self, key: str) -> str:
        """A key of :meth:`view` as a key from the store's root."""
        return self.root + key
