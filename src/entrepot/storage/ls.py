"""Listing a store as people ask: a folder one level or every level, and a key that names
one object exactly as that object (never "0 objects")."""

from __future__ import annotations

from typing import Protocol

from entrepot.errors import StorageError
from entrepot.storage.protocols import Head, List
from entrepot.storage.types import Listing


class Listable(Head, List, Protocol):
    """A store that lists and answers for one key."""


def listing(store: Listable, prefix: str, *, recursive: bool = False) -> Listing:
    """The folders and objects under ``prefix`` (one level, or every level with
    ``recursive``); a ``prefix`` with nothing under it that is an object's exact key lists
    that object."""
    found = Listing((), tuple(store.list(prefix))) if recursive else store.ls(prefix)
    if found.objects or found.prefixes or not prefix or prefix.endswith("/"):
        return found
    try:
        return Listing((), (store.head(prefix),))
    except StorageError:
        return found
