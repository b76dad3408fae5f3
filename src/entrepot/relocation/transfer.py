"""Copy one object to the destination and prove the destination holds the catalog's bytes.

1. Read it from its source, verified against the catalog's sha256: into memory (small
   objects of a local source) or a temporary file.
2. Put it create-only at the destination, with its content type and metadata; the sha256
   the put computes over the bytes it sends must be the catalog's.
3. Check the destination's own account of the bytes: the MD5 an S3 server computed over a
   single-part upload (its ETag), else a ``head`` reporting the catalog's size and sha256;
   with ``deep``, read the object back and rehash it.

A destination or source that stops answering, or refuses the credentials, is *fatal*: the
run stops. Any other problem fails this object only. A copy that fails its check right
after this function wrote it is deleted again (no row can point at it yet).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from entrepot.catalog.relocation.records import Item
from entrepot.errors import (
    AccessDenied,
    IntegrityError,
    ObjectExists,
    StorageError,
    StoreUnavailable,
)
from entrepot.messages import N_, Message
from entrepot.storage.protocols import Delete, Get, Put
from entrepot.storage.types import ObjectInfo

#: The largest object read into memory rather than staged in a temporary file.
IN_MEMORY_MAX = 8 * 1024 * 1024
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_READ = 1024 * 1024
T = TypeVar("T")


class Destination(Get, Put, Delete, Protocol):
    """What a migration needs of its destination."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one object."""

    item: Item
    ok: bool
    #: The destination already held the same bytes: checked, not sent.
    reused: bool = False
    error: str | None = None
    #: A store stopped answering or refused the credentials: the run must stop.
    fatal: StorageError | None = None


class _Failed(Exception):
    """This object cannot be migrated, for the reason given."""


def transfer(
    item: Item,
    source: Get,
    destination: Destination,
    *,
    workdir: Path,
    present: bool,
    deep: bool,
    in_memory: bool = False,
) -> Outcome:
    """Copy ``item`` from ``source`` to ``destination`` (see the module docstring).

    ``present`` says the destination is known to hold the object already. ``in_memory``
    reads a small object with a ``head`` and a ``get`` instead of one download to a
    temporary file: cheaper for a source without network round trips (a local folder).
    """
    try:
        reused = present or _send(item, source, destination, workdir, deep, in_memory)
        if reused:
            _check_present(item, destination)
            if deep:
                _reread(item, destination)
    except (StoreUnavailable, AccessDenied) as exc:
        return Outcome(item, ok=False, error=str(exc), fatal=exc)
    except (_Failed, StorageError) as exc:
        return Outcome(item, ok=False, error=str(exc))
    except OSError as exc:  # the temporary folder: a full or failing local disk
        problem = StorageError(
            f"cannot stage {item.key!r} in {workdir}: {exc}",
            said=Message(
                N_("error.relocation.cannot_stage"),
                {"object": item.key, "folder": str(workdir), "detail": str(exc)},
            ),
        )
        return Outcome(item, ok=False, error=str(problem), fatal=problem)
    return Outcome(item, ok=True, reused=reused)


def _send(
    item: Item, source: Get, destination: Destination, workdir: Path, deep: bool, in_memory: bool
) -> bool:
    """Copy and check; returns True if the destination turned out to hold the object."""
    tmp = workdir / f"item-{item.id}"
    staged = not (in_memory and item.size <= IN_MEMORY_MAX)
    try:
        if staged:
            info = _read(item, lambda: source.download(item.key, tmp, sha256=item.sha256))
            body: bytes | Path = tmp
        else:
            info = source.head(item.key)  # the content type and metadata
            body = _read(item, lambda: source.get(item.key, sha256=item.sha256))
        if info.size != item.size:
            raise _Failed(f"the source holds {info.size} bytes; the catalog records {item.size}")
        try:
            sent = _put(destination, item.key, body, info)
        except ObjectExists:
            return True  # a copy of an interrupted run, or someone else's: checked by the caller
        try:
            _check_sent(item, sent, body, destination)
            if deep:
                _reread(item, destination)
        except (_Failed, IntegrityError):
            destination.delete(item.key, missing_ok=True)  # ours, and no row points at it
            raise
        return False
    finally:
        if staged:
            tmp.unlink(missing_ok=True)


def _read(item: Item, read: Callable[[], T]) -> T:
    try:
        return read()
    except IntegrityError as exc:
        raise _Failed(f"the source copy is damaged: {exc}") from None


def _put(destination: Destination, key: str, body: bytes | Path, info: ObjectInfo) -> ObjectInfo:
    if isinstance(body, Path):
        return destination.put_file(
            key, body, content_type=info.content_type, metadata=info.metadata, if_absent=True
        )
    return destination.put(
        key, body, content_type=info.content_type, metadata=info.metadata, if_absent=True
    )


def _check_sent(item: Item, sent: ObjectInfo, body: bytes | Path, destination: Get) -> None:
    if sent.sha256 != item.sha256 or sent.size != item.size:
        raise _Failed(
            f"the destination recorded {sent.size} bytes with sha256 {sent.sha256}; the catalog "
            f"records {item.size} bytes with sha256 {item.sha256}"
        )
    if sent.etag is not None and _MD5.match(sent.etag) and _md5(body) == sent.etag:
        return  # the server's own digest of what it stored matches the bytes we sent
    _check_present(item, destination)


def _check_present(item: Item, destination: Get) -> None:
    """The destination reports the catalog's size and sha256 for the key."""
    info = destination.head(item.key)
    if info.sha256 != item.sha256 or info.size != item.size:
        raise _Failed(
            f"the destination holds {info.size} bytes with sha256 {info.sha256} under this "
            f"key; the catalog records {item.size} bytes with sha256 {item.sha256}"
        )


def _md5(body: bytes | Path) -> str:
    if isinstance(body, bytes):
        return hashlib.md5(body, usedforsecurity=False).hexdigest()
    digest = hashlib.md5(usedforsecurity=False)
    with open(body, "rb") as f:
        while chunk := f.read(_READ):
            digest.update(chunk)
    return digest.hexdigest()


def _reread(item: Item, destination: Get) -> None:
    size = 0
    try:
        for chunk in destination.iter_bytes(item.key, sha256=item.sha256):
            size += len(chunk)
    except IntegrityError as exc:
        raise _Failed(f"the destination copy reads back different bytes: {exc}") from None
    if size != item.size:
        raise _Failed(f"the destination copy reads back {size} bytes, not {item.size}")
