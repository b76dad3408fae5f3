"""Saved ensembles' descriptions, read once per manifest.

A model listing shows each saved ensemble's members, weights and column mappings, which
live in the version's manifest. Manifests are write-once and the catalog row names each
one by key and sha256. So the description read for ``(namespace, key, sha256)`` holds for
as long as that row exists, and a bounded in-process LRU can keep it. An entry is looked
up only for a row the caller's own catalog query returned, so one user never reaches
another's entry. A new version has a new manifest, and so a new entry.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

Key = tuple[str, str, str]


class Descriptions:
    """A bounded, thread-safe LRU of ensemble descriptions by manifest."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._kept: OrderedDict[Key, Mapping[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, read: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
        """The description under ``key``, from ``read()`` the first time (a copy each call:
        a caller changing it changes nobody else's)."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return copy.deepcopy(dict(found))
        described = copy.deepcopy(dict(read()))
        with self._lock:
            self._kept[key] = described
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return copy.deepcopy(described)
