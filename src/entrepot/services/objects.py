"""The write protocol: the object first under a write-once key, the catalog row after.

A crash between the two leaves an object no row references, which ``entrepot gc``
removes after its grace period; never a row that points at nothing. Deletes go the
other way: the row first, then the object.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol

from entrepot import temp_names
from entrepot.catalog.objects.records import ObjectRecord, ObjectState, Usage
from entrepot.errors import (
    IntegrityError,
    LocalFileExists,
    ObjectNotFound,
    RecordNotFound,
    StorageError,
)
from entrepot.messages import N_, Message
from entrepot.services.records import Downloaded, DownloadedTree, ObjectHead
from entrepot.services.repair import register_read_damage
from entrepot.services.reserved_keys import refuse_reserved
from entrepot.services.verified import VerifiedFile, size_mismatch, sized
from entrepot.services.write_protocol import record_put, the_object
from entrepot.storage.protocols import Delete, Get, List, Materialize, Put, Sign
from entrepot.storage.types import CHUNK_SIZE, PutSource

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWorkFactory


class ObjectStore(Get, Put, Delete, Protocol):
    """What the write protocol needs of a store: verified reads, writes and deletes."""


@dataclass(frozen=True, slots=True)
class StoreUsage:
    """Objects and bytes per folder, per user folder and per owner."""

    folders: tuple[Usage, ...]
    users: tuple[Usage, ...]
    owners: tuple[Usage, ...]


class ObjectService:
    """Write, read and delete objects so that every catalog row points at intact bytes."""

    def __init__(
        self, store: ObjectStore, uow_factory: UnitOfWorkFactory, *, signer: object = None
    ) -> None:
        self._store = store
        self._uow_factory = uow_factory
        #: The store that signs URLs (the uncached one; ``None``: ``store``).
        self._signer = store if signer is None else signer

    def presign(self, key: str, *, method: Literal["GET", "PUT"], expires: timedelta) -> str:
        """A presigned ``method`` URL for ``key``, valid for ``expires``: a GET only for an
        object that exists (a link to nothing helps nobody), a PUT never into the web
        service's folders; a store that cannot sign (a local folder) says what can."""
        if method == "PUT":
            refuse_reserved([key], "presign --method PUT", force=False)
        signer = self._signer
        if method == "GET":
            self._store.head(key)
        if not isinstance(signer, Sign):
            raise StorageError(
                "this store cannot presign URLs",
                store=getattr(signer, "url", None),
                hint="presigned URLs need an S3 store (ENTREPOT_STORE_URL=s3://bucket/prefix)",
                said=Message(
                    N_("error.services.cannot_presign"), {"store": getattr(signer, "url", None)}
                ),
            )
        return signer.sign(key, method=method, expires=expires)

    def put(
        self,
        key: str,
        data: PutSource,
        *,
        owner: str | None,
        kind: str,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectRecord:
        """Store ``data`` under the new ``key``, then record it in the catalog.

        Raises ``ObjectExists`` if ``key`` is taken in the store. If the catalog refuses
        the row, the object is removed again; if the commit itself fails, the object is
        left for ``entrepot gc`` (``write_protocol.py``). Either way the error propagates.
        """
        info = self._store.put(
            key, data, content_type=content_type, metadata=metadata, if_absent=True
        )
        return record_put(
            self._uow_factory,
            key,
            info,
            the_object,
            kind=kind,
            owner=owner,
            remove=lambda: self._store.delete(key, missing_ok=True),
        )

    def usage(self, base: str, *, users: bool) -> StoreUsage:
        """Objects and bytes under the folder ``base`` (``""``: everything) as the catalog
        records them: per folder one level down, per ``users/<id>/`` folder (when ``users``)
        and per owning account; one query each, in one unit of work."""
        with self._uow_factory() as uow:
            return StoreUsage(
                folders=uow.objects.usage_by_folder(base or None),
                users=uow.objects.usage_by_folder("users") if users else (),
                owners=uow.objects.usage_by_owner(prefix=base or None),
            )

    def record(self, key: str) -> ObjectRecord:
        """The catalog row for ``key``; raises ``RecordNotFound``."""
        with self._uow_factory() as uow:
            return uow.objects.get(key)

    def expected_sha256(self, key: str) -> str | None:
        """The sha256 the catalog recorded for ``key``, or ``None`` if it records no such key
        (an object placed in the store by other means)."""
        with self._uow_factory() as uow:
            record = uow.objects.find(key)
        return None if record is None else record.sha256

    def get(self, key: str) -> bytes:
        """The bytes of ``key``, checked against the sha256 the catalog recorded."""
        record = self._readable(key)
        with self._noting_damage(record):
            data = self._store.get(key, sha256=record.sha256)
            if len(data) != record.size:
                raise size_mismatch(record, len(data))
        return data

    def iter_bytes(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Stream ``key``; raises ``IntegrityError`` at the end if the bytes differ from
        the catalog's record, and at once if the object is quarantined."""
        return self._verified_chunks(self._readable(key), chunk_size)

    def _verified_chunks(self, record: ObjectRecord, chunk_size: int) -> Iterator[bytes]:
        chunks = self._store.iter_bytes(record.key, chunk_size=chunk_size, sha256=record.sha256)
        return self._noted(record, sized(record, chunks))

    def download(
        self, key: str, dest: Path, *, progress: Callable[[int, int], object] | None = None
    ) -> Downloaded:
        """Write ``key`` to the local file ``dest``, visible only once verified whole.

        A cataloged object is read as :meth:`iter_bytes` reads it (refused if quarantined,
        checked against the catalog's sha256 and size, damage registered); an object the
        catalog does not record is checked against the store's own sha256. The bytes go to a
        hidden ``.part`` file beside ``dest``, renamed over it only when verified; on any
        failure it is removed. ``progress(n, total)`` is told of each chunk of ``n`` bytes
        written, out of ``total`` (a progress bar).
        """
        try:
            record: ObjectRecord | None = self._readable(key)
        except RecordNotFound:
            record = None
        if record is not None:
            total, chunks = record.size, self._verified_chunks(record, CHUNK_SIZE)
        else:
            total, chunks = self._store.head(key).size, self._store.iter_bytes(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress(len(chunk), total)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        sha256 = record.sha256 if record is not None else None
        return Downloaded(dest, size, sha256, cataloged=record is not None)

    def head(self, key: str) -> ObjectHead:
        """Size, sha256, content type and times of ``key`` as the store answers, with the
        catalog's row; raises ``ObjectNotFound`` when the store holds no such object."""
        info = self._store.head(key)
        with self._uow_factory() as uow:
            record = uow.objects.find(key)
        return ObjectHead(info, record)

    def download_tree(
        self, prefix: str, dest: Path, *, progress: Callable[[int, int], object] | None = None
    ) -> DownloadedTree:
        """Every object under the folder ``prefix`` into the local folder ``dest``, each
        verified as :meth:`download` verifies one (a file appears only once whole); the
        folders under ``prefix`` become folders under ``dest``. ``progress(n, total)`` is
        told of every chunk, ``total`` being the bytes of the whole folder."""
        folder = prefix if prefix.endswith("/") else prefix + "/"
        objects = list(self._lister().list(folder))
        if not objects:
            raise ObjectNotFound(
                "no object under this folder",
                key=folder,
                hint="list what there is with `entrepot ls`",
                said=Message(N_("error.services.empty_folder"), {"folder": folder}),
            )
        total = sum(o.size for o in objects)
        root = dest.resolve()
        files = []
        for info in objects:
            target = (root / info.key[len(folder) :]).resolve()
            if not target.is_relative_to(root):  # keys are checked when written: defence
                raise StorageError(
                    f"{info.key} would be written outside {dest}",
                    key=info.key,
                    said=Message(
                        N_("error.services.outside_destination"),
                        {"object": info.key, "folder": str(dest)},
                    ),
                )
            tell = None if progress is None else (lambda n, _t: progress(n, total))
            files.append(self.download(info.key, target, progress=tell))
        return DownloadedTree(folder, dest, tuple(files))

    def fetch(
        self,
        key: str,
        dest: Path,
        *,
        force: bool = False,
        progress: Callable[[int, int], object] | None = None,
    ) -> Downloaded | DownloadedTree:
        """``entrepot get``: the object ``key`` to the file ``dest`` (or into it, when
        ``dest`` is a folder), or, when ``key`` ends with ``/`` or names a folder rather
        than an object, every object under it into the folder ``dest``. An existing local
        file is replaced only with ``force`` (:class:`LocalFileExists` otherwise)."""
        if key.endswith("/"):
            return self.download_tree(key, dest, progress=progress)
        target = dest / key.rsplit("/", 1)[-1] if dest.is_dir() else dest
        if target.is_file() and not force:
            raise LocalFileExists(
                f"{target} already exists",
                hint="give --force to replace it, or another path",
                said=Message(N_("error.services.local_file_exists"), {"file": str(target)}),
            )
        try:
            return self.download(key, target, progress=progress)
        except (RecordNotFound, ObjectNotFound):
            if not any(True for _ in self._lister().list(key + "/")):
                raise
        return self.download_tree(key + "/", dest, progress=progress)

    @staticmethod
    def refuse_reserved(keys: Iterable[str], command: str, *, force: bool) -> None:
        """Refuse keys in the web service's folders (see :mod:`.reserved_keys`)."""
        refuse_reserved(keys, command, force=force)

    def _lister(self) -> List:
        if not isinstance(self._store, List):
            raise StorageError(
                "this store cannot list its objects", said=Message(N_("error.services.cannot_list"))
            )
        return self._store

    def open_verified(self, key: str, *, folder: Path | None = None) -> VerifiedFile:
        """The bytes of ``key`` in a local file, **verified whole before this returns**
        against the catalog's sha256 and size, opened for reading: a response built on it
        never starts before the bytes are known good.

        A store with a verified cache (:class:`Materialize`) serves its entry (filled and
        checked on a miss); any other store's object is downloaded into a temporary file in
        ``folder`` (checked while written, then unlinked at once, so nothing is left behind
        even by a crash). Raises ``IntegrityError`` for damaged or quarantined bytes.
        """
        record = self._readable(key)
        with self._noting_damage(record):
            handle = self._materialized(record) if isinstance(self._store, Materialize) else None
            if handle is None:
                handle = self._downloaded(record, folder)
            size = os.fstat(handle.fileno()).st_size
            if size != record.size:
                handle.close()
                raise size_mismatch(record, size)
        return VerifiedFile(record, handle)

    @contextlib.contextmanager
    def _noting_damage(self, record: ObjectRecord) -> Iterator[None]:
        """Register the object as damaged if reading it raises ``IntegrityError``."""
        try:
            yield
        except IntegrityError:
            register_read_damage(self._uow_factory, record.key, record.sha256)
            raise

    def _noted(self, record: ObjectRecord, chunks: Iterator[bytes]) -> Iterator[bytes]:
        with self._noting_damage(record):
            yield from chunks

    def _materialized(self, record: ObjectRecord) -> BinaryIO | None:
        assert isinstance(self._store, Materialize)
        try:
            path = self._store.path(record.key, sha256=record.sha256)
        except IntegrityError:
            raise
        except StorageError:
            return None  # too large for the cache: downloaded instead
        try:
            return path.open("rb")
        except FileNotFoundError:
            return None  # evicted between fill and open

    def _downloaded(self, record: ObjectRecord, folder: Path | None) -> BinaryIO:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            dir=folder, prefix=temp_names.work_prefix(temp_names.VERIFIED, folder)
        ) as tmp:
            path = Path(tmp) / "object"
            self._store.download(record.key, path, sha256=record.sha256)
            return path.open("rb")  # the folder goes; the open file stays readable

    def _readable(self, key: str) -> ObjectRecord:
        record = self.record(key)
        if record.state is ObjectState.QUARANTINED:
            raise IntegrityError(
                "the object is quarantined and is not served",
                key=key,
                hint="inspect it with `entrepot verify`, then restore or delete it",
                said=Message(N_("error.services.quarantined"), {"object": key}),
            )
        return record

    def delete(self, key: str) -> ObjectRecord:
        """Remove the row for ``key`` (committed), then the object; returns the removed row.

        If deleting the object fails, the error propagates and the unreferenced object is
        left for ``entrepot gc``.
        """
        with self._uow_factory() as uow:
            record = uow.objects.delete(key)
            uow.commit()
        self._store.delete(key, missing_ok=True)
        return record
