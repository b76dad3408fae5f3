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

import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from entrepot.errors import ConfigError
from entrepot.messages import N_, Message
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.s3_options import S3Options

if TYPE_CHECKING:
    from entrepot.storage.protocols import Store

SUPPORTED = (
    "./relative/path, /absolute/path, file:///absolute/path, memory://name, s3://bucket/prefix"
)
_S3_QUERY = frozenset({"endpoint", "region"})


@dataclass(frozen=True, slots=True)
class StoreUrl:
    """A store URL, parsed once: what every part that needs it reads (the store opened,
    its S3 options, whether reads go through the cache)."""

    #: ``local``, ``memory`` or ``s3``.
    scheme: str
    #: The URL as given.
    text: str
    #: The local folder (``local``).
    path: Path | None = None
    #: The memory store's name (``memory``) or the bucket (``s3``).
    name: str = ""
    #: The folder inside the bucket (``s3``).
    prefix: str = ""
    #: The endpoint and region the URL names itself (``s3``), if any.
    endpoint: str | None = None
    region: str | None = None

    @property
    def is_remote(self) -> bool:
        """Whether the store is a network service (its reads go through the cache)."""
        return self.scheme == "s3"


@functools.lru_cache(maxsize=64)
def parse_store_url(url: str) -> StoreUrl:
    """The parts of ``url``, parsed once per process for each URL; raises
    :class:`~entrepot.errors.ConfigError` for an unsupported or malformed URL."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(
            "the store URL is empty",
            hint=f"use one of: {SUPPORTED}",
            said=Message(N_("error.storage.url_empty"), {"supported": SUPPORTED}),
        )
    if "://" not in url:
        return StoreUrl("local", url, path=Path(url))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ConfigError(
                f"store URL {url!r} is not a local absolute path",
                hint="write file:///absolute/path (three slashes) or a plain path",
                said=Message(N_("error.storage.url_not_absolute"), {"url": url}),
            )
        return StoreUrl("local", url, path=Path(_local_path(parts.path)))
    if scheme == "memory":
        return StoreUrl("memory", url, name=parts.netloc + parts.path.rstrip("/") or "default")
    if scheme == "s3":
        query = parse_qs(parts.query, keep_blank_values=True)
        unknown = set(query) - _S3_QUERY
        if not parts.netloc or unknown or any(len(v) != 1 for v in query.values()):
            raise ConfigError(
                f"malformed S3 store URL {url!r}",
                hint="write s3://bucket/prefix, optionally with ?endpoint=...&region=...",
                said=Message(N_("error.storage.url_bad_s3"), {"url": url}),
            )
        return StoreUrl(
            "s3",
            url,
            name=parts.netloc,
            prefix=unquote(parts.path).strip("/"),
            endpoint=query["endpoint"][0] if "endpoint" in query else None,
            region=query["region"][0] if "region" in query else None,
        )
    raise ConfigError(
        f"unsupported store URL scheme {parts.scheme!r} in {url!r}",
        hint=f"use one of: {SUPPORTED}",
        said=Message(
            N_("error.storage.url_scheme"),
            {"scheme": parts.scheme, "url": url, "supported": SUPPORTED},
        ),
    )


def open_store(url: str | StoreUrl, *, s3: S3Options | None = None) -> Store:
    """The store ``url`` names (a URL, or one :func:`parse_store_url` parsed); ``s3``
    configures ``s3://`` URLs (ignored for others).

    Raises :class:`~entrepot.errors.ConfigError` for an unsupported or malformed URL.
    Opening never touches the network: a wrong endpoint or bucket shows on first use.
    """
    found = url if isinstance(url, StoreUrl) else parse_store_url(url)
    if found.scheme == "local":
        assert found.path is not None
        return LocalStore(found.path)
    if found.scheme == "memory":
        return MemoryStore(found.name)
    options = s3 or S3Options()
    endpoint = _one_place("endpoint", found.endpoint, options.endpoint_url)
    region = _one_place("region", found.region, options.region)
    options = replace(options, endpoint_url=endpoint, region=region)
    from entrepot.storage.s3 import S3Store

    return S3Store(found.name, found.prefix, options)


def _one_place(name: str, given: str | None, configured: str | None) -> str | None:
    if given is not None and configured not in (None, given):
        raise ConfigError(
            f"the store URL says {name}={given!r} but the S3 options say {configured!r}",
            hint="set it in one place only",
            said=Message(
                N_("error.storage.url_conflicts"),
                {"name": name, "given": repr(given), "configured": repr(configured)},
            ),
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
