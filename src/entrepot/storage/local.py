"""A store in a local folder.

Objects live at ``root/<key>``, so the folder stays browsable. Each object's
sha256, content type and metadata live in a sidecar under
``root/.entrepot/meta/<key>.json``. A write goes to a temporary file in the
target's folder, is fsynced, then moved into place with ``os.replace`` (or
``os.link`` for create-only writes, which fails atomically if the key exists):
no partial object is ever visible. Names starting with ``.entrepot`` are
reserved and never listed.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from entrepot.errors import (
    AccessDenied,
    InvalidKey,
    ObjectExists,
    ObjectNotFound,
    StorageError,
    StoreFull,
    StoreUnavailable,
)
from entrepot.messages import N_, Message
from entrepot.storage.base import BaseStore
from entrepot.storage.hashing import OverlappedHasher, sha256_bytes
from entrepot.storage.keys import RESERVED_PREFIX
from entrepot.storage.types import Listing, ObjectInfo

_META_DIR = Path(RESERVED_PREFIX) / "meta"
#: Names of the temporary files a write starts with (``entrepot gc`` removes stale ones).
TEMP_PREFIX = f"{RESERVED_PREFIX}-tmp-"
_WRITE_CHUNK = 1024 * 1024


class LocalStore(BaseStore):
    """Objects as files under ``root``; created on first write."""

    _read_chunk = _WRITE_CHUNK

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self._root = Path(root).expanduser().absolute()
        self._fsync = fsync
        self._real_root = os.path.realpath(self._root)

    @property
    def root(self) -> Path:
        """The folder holding the objects."""
        return self._root

    @property
    def url(self) -> str:
        return self._root.as_uri()

    # -- paths -------------------------------------------------------------
    def _path(self, key: str) -> Path:
        path = self._root / key
        real = os.path.realpath(path)
        if not self._inside(real):
            self._real_root = os.path.realpath(self._root)  # the root itself moved since
            if not self._inside(real):
                raise InvalidKey(
                    "key resolves outside the store (symbolic link)",
                    key=key,
                    said=Message(N_("error.storage.key_outside_store"), {}),
                )
        return path

    def _inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def _meta_path(self, key: str) -> Path:
        return self._root / _META_DIR / f"{key}.json"

    @contextmanager
    def _errors(self, key: str, operation: str) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except FileNotFoundError:
            raise ObjectNotFound.under(key, self.url) from None
        except (NotADirectoryError, IsADirectoryError) as exc:
            if operation in ("head", "get"):  # 'a/b' when 'a' is a file, or 'a' a folder
                raise ObjectNotFound.under(key, self.url) from None
            raise InvalidKey(
                "key collides with a folder or file of the same name in a local store",
                key=key,
                store=self.url,
                hint="a local store cannot hold both 'a' and 'a/b'; rename one of them",
                said=Message(N_("error.storage.key_collides"), {}),
            ) from exc
        except PermissionError as exc:
            raise AccessDenied(
                f"{operation} refused: {exc.strerror}",
                key=key,
                store=self.url,
                said=Message(
                    N_("error.storage.local_refused"),
                    {"operation": operation, "reason": exc.strerror},
                ),
            ) from exc
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreFull(
                    f"{operation} failed: disk full",
                    key=key,
                    store=self.url,
                    hint="free space on the disk holding the store, or point it elsewhere",
                    said=Message(
                        N_("error.storage.disk_full"),
                        {"operation": operation},
                    ),
                ) from exc
            raise StoreUnavailable(
                f"{operation} failed: {exc}",
                key=key,
                store=self.url,
                said=Message(
                    N_("error.storage.local_failed"),
                    {"operation": operation, "reason": str(exc)},
                ),
            ) from exc

    # -- metadata ----------------------------------------------------------
    def _read_meta(self, key: str) -> dict[str, Any]:
        try:
            with open(self._meta_path(key), "rb") as f:
                meta: dict[str, Any] = json.load(f)
                return meta
        except (FileNotFoundError, NotADirectoryError):
            return {}

    def _info(self, key: str, path: Path, meta: dict[str, Any]) -> ObjectInfo:
        st = path.stat()
        if not path.is_file():
            raise FileNotFoundError(key)
        # The recorded sha256 stays authoritative even if the file changed since:
        # a read then fails verification instead of returning altered bytes.
        return ObjectInfo(
            key=key,
            size=st.st_size,
            sha256=meta.get("sha256"),
            modified=datetime.fromtimestamp(st.st_mtime, UTC),
            etag=f"{st.st_mtime_ns:x}-{st.st_size:x}",
            content_type=meta.get("content_type"),
            metadata=dict(meta.get("metadata", {})),
        )

    def _atomic_write(self, dest: Path, write: Any, *, create_only: bool) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                if self._fsync:
                    os.fsync(out.fileno())
            if create_only:
                os.link(tmp, dest)
                os.unlink(tmp)
            else:
                os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- primitives --------------------------------------------------------
    def _head(self, key: str) -> ObjectInfo:
        with self._errors(key, "head"):
            return self._info(key, self._path(key), self._read_meta(key))

    def _open(self, key: str, chunk_size: int) -> tuple[ObjectInfo, Iterator[bytes]]:
        path = self._path(key)
        with self._errors(key, "get"):
            meta = self._read_meta(key)
            info = self._info(key, path, meta)

        def chunks() -> Iterator[bytes]:
            # Opened at the first read: a stream closed unread holds no file. A file
            # replaced since the stat fails verification against ``info``.
            with self._errors(key, "get"), open(path, "rb") as f:
                while chunk := f.read(chunk_size):
                    yield chunk

        return info, chunks()

    def _read_all(self, key: str) -> tuple[ObjectInfo, bytes, str]:
        path = self._path(key)
        with self._errors(key, "get"):
            meta = self._read_meta(key)
            with open(path, "rb", buffering=0) as f:
                info = self._info(key, path, meta)
                data = f.read()
        # One read into one buffer, then one hash of the very bytes returned: the bound of a
        # verified read (hashing slices while reading would need a second copy to end as
        # ``bytes``, which costs what the overlap saves; see ADR 0024).
        return info, data, sha256_bytes(data)

    def _put(
        self,
        key: str,
        reader: BinaryIO,
        *,
        content_type: str | None,
        metadata: dict[str, str],
        if_absent: bool,
    ) -> ObjectInfo:
        path = self._path(key)
        digest = OverlappedHasher()
        size = 0

        def write(out: BinaryIO) -> None:
            nonlocal size
            while chunk := reader.read(_WRITE_CHUNK):
                digest.update(chunk)  # hashed on a worker while this thread writes
                out.write(chunk)
                size += len(chunk)

        with self._errors(key, "put"):
            if if_absent and path.exists():
                raise ObjectExists(
                    "object already exists",
                    key=key,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                )
            try:
                self._atomic_write(path, write, create_only=if_absent)
            except FileExistsError:
                raise ObjectExists(
                    "object already exists",
                    key=key,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                ) from None
            meta = {
                "sha256": digest.hexdigest(),
                "size": size,
                "content_type": content_type,
                "metadata": metadata,
            }
            self._write_meta(key, meta)
            return self._info(key, path, meta)

    def _write_meta(self, key: str, meta: dict[str, Any]) -> None:
        body = json.dumps(meta, sort_keys=True).encode()
        self._atomic_write(self._meta_path(key), lambda out: out.write(body), create_only=False)

    def _walk(self, prefix: str) -> Iterator[str]:
        base = self._root / prefix if prefix else self._root
        if not base.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(RESERVED_PREFIX)]
            rel = os.path.relpath(dirpath, self._root)
            for name in filenames:
                if not name.startswith(RESERVED_PREFIX):
                    yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        for key in sorted(self._walk(prefix)):
            try:
                yield self._info(key, self._root / key, self._read_meta(key))
            except FileNotFoundError:
                continue  # deleted while listing

    def _ls(self, prefix: str) -> Listing:
        base = self._root / prefix if prefix else self._root
        if not base.is_dir():
            return Listing((), ())
        folders, objects = [], []
        for entry in sorted(os.scandir(base), key=lambda e: e.name):
            if entry.name.startswith(RESERVED_PREFIX):
                continue
            key = prefix + entry.name
            if entry.is_dir():
                folders.append(key + "/")
            else:
                objects.append(self._info(key, Path(entry.path), self._read_meta(key)))
        return Listing(tuple(folders), tuple(objects))

    def _delete(self, key: str) -> bool:
        path = self._path(key)
        with self._errors(key, "delete"):
            try:
                path.unlink()
            except (FileNotFoundError, NotADirectoryError):
                return False
            except IsADirectoryError:
                return False
            self._meta_path(key).unlink(missing_ok=True)
            self._prune(path.parent)
            self._prune(self._meta_path(key).parent)
            return True

    def _prune(self, folder: Path) -> None:
        """Remove folders left empty by a delete, up to the root."""
        while folder != self._root and self._root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def _copy(self, src: str, dst: str, *, if_absent: bool) -> ObjectInfo:
        src_path, dst_path = self._path(src), self._path(dst)
        with self._errors(src, "copy"):
            meta = self._read_meta(src)
            if not src_path.is_file():
                raise ObjectNotFound(
                    "no object to copy",
                    key=src,
                    store=self.url,
                    said=Message(N_("error.storage.nothing_to_copy"), {}),
                )
            if if_absent and dst_path.exists():
                raise ObjectExists(
                    "object already exists",
                    key=dst,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                )

            def write(out: BinaryIO) -> None:
                with open(src_path, "rb") as f:
                    shutil.copyfileobj(f, out, _WRITE_CHUNK)

            try:
                self._atomic_write(dst_path, write, create_only=if_absent)
            except FileExistsError:
                raise ObjectExists(
                    "object already exists",
                    key=dst,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                ) from None
            if meta:
                self._write_meta(dst, meta)
            else:
                self._meta_path(dst).unlink(missing_ok=True)
            return self._info(dst, dst_path, meta)
