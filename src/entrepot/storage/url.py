"""Open a store from one URL: a local folder, memory, or an S3 bucket.

Supported forms::

    ./var/store   /srv/store          a plain path: a local folder
    file:///srv/store                 the same as a URL (absolute path only)
    memory://name                     a new, empty in-memory store
    s3://bucket  s3://bucket/prefix   an S3 bucket, optionally under a folder prefix;
                                      ``?endpoint=http://host:port`` and ``?region=...``
                                      may be added (the form ``S3Store.url`` prints)

This module and ``entrepot.bootstrap`` are the only ones that pick a concrete adapter.
The S3 adapter, and with it its SDKs, is imported only when an ``s3://`` URL is opened.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from entrepot.errors import ConfigError
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.s3_options import S3Options

if TYPE_CHECKING:
    from entrepot.storage.protocols import Store

SUPPORTED = (
    "./relative/path, /absolute/path, file:///absolute/path, memory://name, s3://bucket/prefix"
)
_S3_QUERY = frozenset({"endpoint", "region"})


def open_store(url: str, *, s3: S3Options | None = None) -> Store:
    """The store ``url`` names; ``s3`` configures ``s3://`` URLs (ignored for others).

    Raises :class:`~entrepot.errors.ConfigError` for an unsupported or malformed URL.
    Opening never touches the network: a wrong endpoint or bucket shows on first use.
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("the store URL is empty", hint=f"use one of: {SUPPORTED}")
    if "://" not in url:
        return LocalStore(Path(url))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ConfigError(
                f"store URL {url!r} is not a local absolute path",
                hint="write file:///absolute/path (three slashes) or a plain path",
            )
        return LocalStore(Path(_local_path(parts.path)))
    if scheme == "memory":
        return MemoryStore(parts.netloc + parts.path.rstrip("/") or "default")
    if scheme == "s3":
        return _open_s3(url, s3 or S3Options())
    raise ConfigError(
        f"unsupported store URL scheme {parts.scheme!r} in {url!r}",
        hint=f"use one of: {SUPPORTED}",
    )


def _open_s3(url: str, options: S3Options) -> Store:
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - _S3_QUERY
    if not parts.netloc or unknown or any(len(v) != 1 for v in query.values()):
        raise ConfigError(
            f"malformed S3 store URL {url!r}",
            hint="write s3://bucket/prefix, optionally with ?endpoint=...&region=...",
        )
    endpoint = _one_place("endpoint", query, options.endpoint_url)
    region = _one_place("region", query, options.region)
    options = replace(options, endpoint_url=endpoint, region=region)
    from entrepot.storage.s3 import S3Store

    return S3Store(parts.netloc, unquote(parts.path).strip("/"), options)


def _one_place(name: str, query: dict[str, list[str]], configured: str | None) -> str | None:
    values = query.get(name)
    given = values[0] if values else None
    if given is not None and configured not in (None, given):
        raise ConfigError(
            f"the store URL says {name}={given!r} but the S3 options say {configured!r}",
            hint="set it in one place only",
        )
    return given if given is not None else configured


def _local_path(url_path: str) -> str:
    """The file system path of a ``file://`` URL's path. On POSIX that is the unquoted path
    (what ``urllib.request.url2pathname`` does there, without importing ``http.client`` and
    ``email``: 0.1 s of every command's start-up)."""
    if os.name == "posix":
        return unquote(url_path)
    from urllib.request import url2pathname

    return url2pathname(url_path)
