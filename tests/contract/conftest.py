"""The stores the contract suite runs against, and ways to reach behind their back.

Every contract test runs once per kind: memory, local, S3 at a bucket's root, S3 under
a bucket prefix, and a scoped view of each backend. ``subject.corrupt(key, data)``
replaces an object's bytes while keeping its recorded sha256, as a failing disk or a
tool writing behind Entrepôt's back would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from entrepot.storage.base import BaseStore
from entrepot.storage.cache import CachedStore
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.protocols import Store
from entrepot.storage.s3 import S3Store

SCOPE = "tenants/t1/"
NAMES = (
    "memory",
    "local",
    "s3",
    "s3-prefix",
    "memory-scoped",
    "local-scoped",
    "s3-scoped",
    "memory-cached",
    "local-cached",
    "s3-cached",
)


def _kind(name: str) -> Any:
    return pytest.param(name, id=name, marks=[pytest.mark.s3] if name.startswith("s3") else [])


KINDS = [_kind(name) for name in NAMES]


@dataclass
class Subject:
    """A store under test, the backend store beneath it and the prefix between them."""

    kind: str
    store: Store
    base: BaseStore
    prefix: str
    s3_client: Any = None

    @property
    def is_s3(self) -> bool:
        return isinstance(self.base, S3Store)

    def raw_key(self, key: str) -> str:
        """The key in the backend itself (bucket key, path under the folder, dict key)."""
        root = self.base.prefix if isinstance(self.base, S3Store) else ""
        return root + self.prefix + key

    def corrupt(self, key: str, data: bytes) -> None:
        """Replace the bytes of ``key`` behind the store's back, keeping its sha256."""
        if isinstance(self.base, MemoryStore):
            self.base.corrupt(self.prefix + key, data)
        elif isinstance(self.base, LocalStore):
            (self.base.root / (self.prefix + key)).write_bytes(data)
        else:
            assert isinstance(self.base, S3Store)
            bucket, raw = self.base.bucket, self.raw_key(key)
            old = self.s3_client.head_object(Bucket=bucket, Key=raw)
            self.s3_client.put_object(
                Bucket=bucket,
                Key=raw,
                Body=data,
                Metadata=old["Metadata"],
                ContentType=old["ContentType"],
            )


def _build(request: pytest.FixtureRequest, make_store: Callable[[str], BaseStore]) -> Subject:
    kind: str = request.param
    backend, _, variant = kind.partition("-")
    client = request.getfixturevalue("s3_client") if backend == "s3" else None
    if variant == "prefix":
        factory = request.getfixturevalue("s3_store_factory")
        base: BaseStore = factory("team/data")
    else:
        base = make_store(backend)
    if variant == "cached":
        folder = request.getfixturevalue("tmp_path_factory").mktemp("cache")
        return Subject(kind, CachedStore(base, folder, 1 << 20), base, "", client)
    if variant == "scoped":
        return Subject(kind, base.scoped(SCOPE), base, SCOPE, client)
    return Subject(kind, base, base, "", client)


@pytest.fixture(params=KINDS)
def subject(request: pytest.FixtureRequest, make_store: Callable[[str], BaseStore]) -> Subject:
    """A new empty store of each kind in turn."""
    return _build(request, make_store)


@pytest.fixture(params=[_kind(name) for name in NAMES if name.endswith("-scoped")])
def scoped_subject(
    request: pytest.FixtureRequest, make_store: Callable[[str], BaseStore]
) -> Subject:
    """A new scoped view of each backend in turn."""
    return _build(request, make_store)


@pytest.fixture(params=[_kind(name) for name in NAMES if name.startswith("s3")])
def s3_subject(request: pytest.FixtureRequest, make_store: Callable[[str], BaseStore]) -> Subject:
    """Each S3 kind in turn: at a bucket's root, under a prefix, scoped."""
    return _build(request, make_store)


@pytest.fixture(params=[_kind("s3-prefix"), _kind("s3-scoped")])
def paged_subject(
    request: pytest.FixtureRequest, make_store: Callable[[str], BaseStore]
) -> Subject:
    """An S3 store whose keys must be cut from a longer prefix: under a prefix, scoped."""
    return _build(request, make_store)


@pytest.fixture
def store(subject: Subject) -> Store:
    """The store under test."""
    return subject.store
