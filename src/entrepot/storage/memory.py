"""An in-memory store: the shipped fake for unit tests, with the full contract."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import BinaryIO

from entrepot.errors import ObjectExists, ObjectNotFound
from entrepot.messages import N_, Message
from entrepot.storage.base import BaseStore
from entrepot.storage.hashing import sha256_bytes
from entrepot.storage.listing import one_level
from entrepot.storage.types import Listing, ObjectInfo


@dataclass(frozen=True, slots=True)
class _Entry:
    data: bytes
    info: ObjectInfo


class MemoryStore(BaseStore):
    """Objects kept in a dict; thread-safe; nothing survives the process."""

    def __init__(self, name: str = "default") -> None:
        self._name = name
        self._objects: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"memory://{self._name}"

    def corrupt(self, key: str, data: bytes) -> None:
        """Replace an object's bytes but not its recorded sha256 (for integrity tests)."""
        with self._lock:
            entry = self._objects[key]
            self._objects[key] = _Entry(data, entry.info)

    def _head(self, key: str) -> ObjectInfo:
        try:
            return self._objects[key].info
        except KeyError:
            raise ObjectNotFound.under(key, self.url) from None

    def _open(self, key: str, chunk_size: int) -> tuple[ObjectInfo, Iterator[bytes]]:
        try:
            entry = self._objects[key]
        except KeyError:
            raise ObjectNotFound.under(key, self.url) from None
        data = entry.data
        chunks = (data[i : i + chunk_size] for i in range(0, len(data), chunk_size))
        return entry.info, chunks

    def _read_all(self, key: str) -> tuple[ObjectInfo, bytes, str]:
        try:
            entry = self._objects[key]
        except KeyError:
            raise ObjectNotFound.under(key, self.url) from None
        return entry.info, entry.data, sha256_bytes(entry.data)

    def _put(
        self,
        key: str,
        reader: BinaryIO,
        *,
        content_type: str | None,
        metadata: dict[str, str],
        if_absent: bool,
    ) -> ObjectInfo:
        data = reader.read()
        digest = sha256_bytes(data)
        info = ObjectInfo(
            key=key,
            size=len(data),
            sha256=digest,
            modified=datetime.now(UTC),
            etag=digest[:32],
            content_type=content_type,
            metadata=dict(metadata),
        )
        with self._lock:
            if if_absent and key in self._objects:
                raise ObjectExists(
                    "object already exists",
                    key=key,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                )
            self._objects[key] = _Entry(data, info)
        return info

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        with self._lock:
            infos = [e.info for k, e in self._objects.items() if k.startswith(prefix)]
        return iter(sorted(infos, key=lambda i: i.key))

    def _ls(self, prefix: str) -> Listing:
        return one_level(self._list(prefix), prefix)

    def _delete(self, key: str) -> bool:
        with self._lock:
            return self._objects.pop(key, None) is not None

    def _copy(self, src: str, dst: str, *, if_absent: bool) -> ObjectInfo:
        with self._lock:
            try:
                entry = self._objects[src]
            except KeyError:
                raise ObjectNotFound(
                    "no object to copy",
                    key=src,
                    store=self.url,
                    said=Message(N_("error.storage.nothing_to_copy"), {}),
                ) from None
            if if_absent and dst in self._objects:
                raise ObjectExists(
                    "object already exists",
                    key=dst,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                )
            info = replace(entry.info, key=dst, modified=datetime.now(UTC))
            self._objects[dst] = _Entry(entry.data, info)
            return info
