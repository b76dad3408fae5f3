"""A store in an S3 bucket (AWS, MinIO, any S3-compatible endpoint).

Objects go through ``obstore`` (Rust ``object_store``), buckets through ``boto3``
(:mod:`~entrepot.storage.s3_buckets`); only these two modules import either SDK. Each
object carries its sha256 in its user metadata, computed before the upload starts; reads
verify it at the end of the stream, never trusting the server.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, BinaryIO, Literal
from urllib.parse import urlsplit

from entrepot.errors import (
    AccessDenied,
    ConfigError,
    InvalidKey,
    ObjectExists,
    ObjectNotFound,
    StorageError,
)
from entrepot.messages import N_, Message
from entrepot.storage.base import BaseStore
from entrepot.storage.hashing import copy_hashed
from entrepot.storage.keys import normalize_prefix, validate_key
from entrepot.storage.s3_buckets import S3_PIP, S3Buckets
from entrepot.storage.s3_errors import Family, S3Context, parse_failure, translate
from entrepot.storage.s3_objects import attributes, object_info, staged
from entrepot.storage.s3_options import S3Options
from entrepot.storage.types import Listing, ObjectInfo

try:
    import obstore
    from obstore import exceptions as oe
    from obstore.store import S3Store as _Client
except ImportError as exc:  # pragma: no cover - a core dependency
    raise ConfigError(
        "S3 stores need obstore",
        hint=S3_PIP,
        said=Message(N_("error.storage.s3_needs_obstore"), {"install": S3_PIP}),
    ) from exc

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

#: The longest a presigned URL may live (SigV4).
MAX_SIGN_EXPIRY = timedelta(days=7)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_FAMILIES: tuple[tuple[tuple[type[Exception], ...], Family], ...] = (
    ((FileNotFoundError,), "not_found"),
    ((oe.AlreadyExistsError, oe.PreconditionError), "exists"),
    ((oe.PermissionDeniedError, oe.UnauthenticatedError), "denied"),
)


class S3Store(BaseStore, S3Buckets):
    """Objects in ``bucket``, under an optional folder ``prefix``, reached per ``options``.

    The constructor never touches the network. Sources above the multipart threshold
    are uploaded in parts and a failed upload is aborted: no partial object is ever
    visible. Create-only writes (``if_absent``) are atomic (``If-None-Match``) up to the
    threshold; above it, and for :meth:`copy`, S3 offers this client no conditional
    completion, so the store checks the key is absent right before writing: a
    concurrent writer of the same key in that window wins the race.

    Copies are server-side (S3 copies objects up to 5 GiB in one request) and keep the
    metadata. Listings give key, size, etag and time; ``sha256`` and metadata need a ``head``.
    An object stored without a content type reads back with ``content_type=None``.
    """

    def __init__(self, bucket: str, prefix: str = "", options: S3Options | None = None) -> None:
        if not _BUCKET.fullmatch(bucket) or ".." in bucket:
            raise ConfigError(
                f"{bucket!r} is not a valid S3 bucket name",
                hint="use 3-63 lowercase letters, digits, '-' and '.', e.g. 'entrepot-data'",
                said=Message(N_("error.storage.s3_bad_bucket"), {"bucket": bucket}),
            )
        self._bucket = bucket
        self._root = normalize_prefix(prefix)
        self._options = options or S3Options()
        self._client: _Client | None = None
        self._lock = threading.Lock()
        self._bucket_seen = False

    @property
    def url(self) -> str:
        base = f"s3://{self._bucket}" + (f"/{self._root.rstrip('/')}" if self._root else "")
        endpoint = self._options.endpoint_url
        return f"{base}?endpoint={endpoint.rstrip('/')}" if endpoint else base

    @property
    def bucket(self) -> str:
        """The bucket name."""
        return self._bucket

    @property
    def prefix(self) -> str:
        """The folder inside the bucket this store is rooted at (``""`` or ending in ``/``)."""
        return self._root

    @property
    def endpoint(self) -> str:
        """The endpoint requests go to."""
        region = self._options.region or "us-east-1"
        return self._options.endpoint_url or f"https://s3.{region}.amazonaws.com"

    # -- clients -----------------------------------------------------------
    def _store(self) -> _Client:
        with self._lock:
            if self._client is None:
                self._client = self._build()
            return self._client

    def _build(self) -> _Client:
        opts = self._options
        config: S3Config = {"virtual_hosted_style_request": not opts.uses_path_style}
        if opts.region:
            config["region"] = opts.region
        if opts.endpoint_url:
            parts = urlsplit(opts.endpoint_url)
            host = parts.netloc if opts.uses_path_style else f"{self._bucket}.{parts.netloc}"
            config["endpoint"] = f"{parts.scheme}://{host}{parts.path.rstrip('/')}"
        provider = None
        if opts.access_key_id is not None and opts.secret_access_key is not None:
            config["access_key_id"] = opts.access_key_id
            config["secret_access_key"] = opts.secret_access_key
            if opts.session_token:
                config["session_token"] = opts.session_token
        else:  # the standard AWS chain: environment, profiles, SSO, container or instance role
            from obstore.auth.boto3 import Boto3CredentialProvider

            session = self._boto3_session()
            if session.get_credentials() is None:
                raise AccessDenied(
                    "no AWS credentials found",
                    store=self.url,
                    hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
                    said=Message(N_("error.storage.s3_no_credentials"), {}),
                )
            provider = Boto3CredentialProvider(session)
        client: ClientConfig = {
            "allow_http": opts.uses_http,
            "connect_timeout": opts.connect_timeout,
            "read_timeout": opts.read_timeout,
            "timeout": timedelta(hours=1),  # a whole streamed download must fit in it
        }
        retry: RetryConfig = {
            "max_retries": opts.max_retries,
            "retry_timeout": opts.retry_timeout,
            "backoff": {
                "init_backoff": timedelta(seconds=0.1),
                "max_backoff": timedelta(seconds=2),
            },
        }
        return _Client(
            self._bucket,
            config=config,
            client_options=client,
            retry_config=retry,
            credential_provider=provider,
        )

    # -- errors ------------------------------------------------------------
    def _context(self, operation: str, key: str | None) -> S3Context:
        retries = self._options.max_retries
        return S3Context(operation, key, self.url, self._bucket, self.endpoint, retries)

    @contextmanager
    def _errors(self, operation: str, key: str | None = None) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except (oe.BaseError, FileNotFoundError) as exc:
            family: Family = next((f for t, f in _FAMILIES if isinstance(exc, t)), "other")
            raise translate(family, parse_failure(str(exc)), self._context(operation, key)) from exc

    # -- mapping -----------------------------------------------------------
    def _key_of(self, path: str) -> str | None:
        try:
            return validate_key(path[len(self._root) :])
        except InvalidKey:
            return None  # written by another tool under a name no store could hold

    # -- primitives --------------------------------------------------------
    def _head(self, key: str) -> ObjectInfo:
        try:
            with self._errors("head", key):
                result = obstore.get(self._store(), self._root + key, options={"head": True})
        except ObjectNotFound:
            if not self._bucket_seen:  # a HEAD 404 may mean no bucket: one listing tells
                with self._errors("head", key):
                    obstore.list_with_delimiter(self._store(), self._root + key)
                self._bucket_seen = True
            raise
        self._bucket_seen = True
        return object_info(key, result.meta, result.attributes)

    def _exists(self, key: str) -> bool:
        try:
            self._head(key)
        except ObjectNotFound:
            return False
        return True

    def _open(self, key: str, chunk_size: int) -> tuple[ObjectInfo, Iterator[bytes]]:
        with self._errors("get", key):
            result = obstore.get(self._store(), self._root + key)

        def chunks() -> Iterator[bytes]:
            with self._errors("get", key):
                for chunk in result.stream(min_chunk_size=chunk_size):
                    yield bytes(chunk)

        return object_info(key, result.meta, result.attributes), chunks()

    def _read_all(self, key: str) -> tuple[ObjectInfo, bytes, str]:
        with self._errors("get", key):
            result = obstore.get(self._store(), self._root + key)
            info = object_info(key, result.meta, result.attributes)
            body = result.bytes()
        # One copy into ``bytes`` with the hash beside it: about the cost of the bare get
        # then sha256 in sequence, and never a byte returned that was not hashed.
        data, actual = copy_hashed(memoryview(body))
        return info, data, actual

    def _put(
        self,
        key: str,
        reader: BinaryIO,
        *,
        content_type: str | None,
        metadata: dict[str, str],
        if_absent: bool,
    ) -> ObjectInfo:
        threshold = self._options.multipart_threshold
        with staged(reader, threshold=threshold, key=key, store=self.url) as source:
            if source.multipart and if_absent and self._exists(key):
                raise ObjectExists(
                    "object already exists",
                    key=key,
                    store=self.url,
                    said=Message(N_("error.storage.object_exists"), {}),
                )
            with self._errors("put", key):
                result = obstore.put(
                    self._store(),
                    self._root + key,
                    source.body,
                    attributes=attributes(source.sha256, content_type, metadata),
                    mode="create" if if_absent and not source.multipart else "overwrite",
                    use_multipart=source.multipart,
                    chunk_size=self._options.part_size,
                    max_concurrency=self._options.max_concurrency,
                )
        return ObjectInfo(
            key=key,
            size=source.size,
            sha256=source.sha256,
            modified=datetime.now(UTC),
            etag=result["e_tag"].strip('"') if result["e_tag"] else None,
            content_type=content_type,
            metadata=dict(metadata),
        )

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        with self._errors("list", prefix or None):
            for page in obstore.list(self._store(), self._root + prefix or None, chunk_size=1000):
                for meta in page:
                    key = self._key_of(meta["path"])
                    if key is not None:
                        yield object_info(key, meta, None)

    def _ls(self, prefix: str) -> Listing:
        with self._errors("list", prefix or None):
            result = obstore.list_with_delimiter(self._store(), self._root + prefix or None)
        cut = len(self._root)
        objects = ((self._key_of(m["path"]), m) for m in result["objects"])
        return Listing(
            prefixes=tuple(p[cut:] + "/" for p in result["common_prefixes"]),
            objects=tuple(object_info(k, m, None) for k, m in objects if k is not None),
        )

    def _delete(self, key: str) -> bool:
        if not self._exists(key):
            return False
        with self._errors("delete", key):
            obstore.delete(self._store(), self._root + key)
        return True

    def _delete_batch(self, keys: list[str]) -> None:
        if keys:
            with self._errors("delete"):
                obstore.delete(self._store(), [self._root + k for k in keys])

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete these objects (missing ones are ignored) in batches of up to 1,000;
        returns how many existed."""
        unique = list(dict.fromkeys(validate_key(k) for k in keys))
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = list(pool.map(self._exists, unique))
        present = [k for k, there in zip(unique, found, strict=True) if there]
        self._delete_batch(present)
        return len(present)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the folder ``prefix`` in batches; returns the count."""
        keys = [info.key for info in self._list(normalize_prefix(prefix))]
        self._delete_batch(keys)
        return len(keys)

    def _copy(self, src: str, dst: str, *, if_absent: bool) -> ObjectInfo:
        if if_absent and self._exists(dst):
            raise ObjectExists(
                "object already exists",
                key=dst,
                store=self.url,
                said=Message(N_("error.storage.object_exists"), {}),
            )
        if src == dst:  # S3 refuses a copy onto itself that changes nothing
            return self._head(src)
        with self._errors("copy", src):
            obstore.copy(self._store(), self._root + src, self._root + dst, overwrite=True)
        return self._head(dst)

    def sign(
        self,
        key: str,
        *,
        method: Literal["GET", "PUT"] = "GET",
        expires: timedelta = timedelta(hours=1),
    ) -> str:
        """A presigned URL allowing ``method`` on ``key`` for ``expires`` (1 s to 7 days).

        An object uploaded through a PUT URL has no recorded sha256: reads cannot verify it.
        """
        key = validate_key(key)
        if method not in ("GET", "PUT"):
            raise StorageError(f"cannot presign {method!r}", hint="use 'GET' or 'PUT'")
        if not timedelta(seconds=1) <= expires <= MAX_SIGN_EXPIRY:
            raise StorageError(f"cannot presign for {expires}", hint="use 1 second to 7 days")
        with self._errors("sign", key):
            return obstore.sign(self._store(), method, self._root + key, expires)
