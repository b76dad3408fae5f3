"""The object-store layer: one API over a local folder, memory and any S3 endpoint.

This package imports nothing of Entrepôt but ``entrepot.errors``; it never reads
settings. Open a store from a URL with :func:`entrepot.storage.url.open_store`.
"""

from entrepot.storage.protocols import (
    Copy,
    Delete,
    Get,
    Head,
    List,
    Materialize,
    Put,
    Sign,
    Store,
)
from entrepot.storage.types import Listing, ObjectInfo, OpenedObject

__all__ = [
    "Copy",
    "Delete",
    "Get",
    "Head",
    "List",
    "Listing",
    "Materialize",
    "ObjectInfo",
    "OpenedObject",
    "Put",
    "Sign",
    "Store",
]
