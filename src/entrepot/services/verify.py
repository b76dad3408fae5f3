"""Verification: every catalog row points at an object of the recorded size and sha256.

The light check reads what the store recorded (``head``); ``deep`` re-reads and rehashes
every byte. Rows are read in key-ordered pages, each in its own short unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from entrepot.catalog.objects.records import ObjectRecord
from entrepot.errors import IntegrityError, ObjectNotFound
from entrepot.storage.keys import normalize_prefix
from entrepot.storage.protocols import Get, Head

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWorkFactory

#: Rows read per page.
PAGE_SIZE = 500


class ProblemKind(StrEnum):
    """What can be wrong with a recorded object."""

    #: No object under the recorded key.
    MISSING = "missing"
    #: The store's size differs from the catalog's.
    SIZE_MISMATCH = "size-mismatch"
    #: The sha256 the store recorded differs from the catalog's.
    SHA256_MISMATCH = "sha256-mismatch"
    #: (deep) The sha256 of the bytes read differs from the catalog's.
    CONTENT_MISMATCH = "content-mismatch"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one recorded object."""

    key: str
    kind: ProblemKind
    #: What the catalog recorded (a size or a sha256).
    expected: str
    #: What the store has (``None`` when the object is missing).
    found: str | None

    @property
    def detail(self) -> str:
        """What differs, in words."""
        if self.kind is ProblemKind.MISSING:
            return "no object under this key in the store"
        return f"catalog {self.expected}, store {self.found}"

    def __str__(self) -> str:
        return f"{self.key}: {self.kind}: {self.detail}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of :func:`verify_catalog`."""

    checked: int
    problems: tuple[Problem, ...]
    deep: bool

    @property
    def ok(self) -> bool:
        """Whether every checked row points at an intact object."""
        return not self.problems


def verify_catalog(
    store: Head,
    uow_factory: UnitOfWorkFactory,
    *,
    deep: bool = False,
    prefix: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> VerifyReport:
    """Check every row (under the folder ``prefix``) against the store.

    ``deep`` needs a store that can also :class:`Get` and re-reads every byte.
    ``on_progress(done, total)`` is called after each object, for a progress bar.
    """
    if deep and not isinstance(store, Get):
        raise TypeError("deep verification re-reads the bytes: pass a store that can Get")
    if page_size <= 0:
        raise ValueError("page_size must be positive")
    folder = normalize_prefix(prefix) if prefix else None
    with uow_factory() as uow:
        total = uow.objects.count(prefix=folder)
    problems: list[Problem] = []
    done = 0
    after: str | None = None
    while True:
        with uow_factory() as uow:
            page = uow.objects.page_after(after, prefix=folder, limit=page_size)
        if not page:
            break
        for record in page:
            problems += _check(store, record, deep=deep)
            done += 1
            if on_progress is not None:
                on_progress(done, max(total, done))
        after = page[-1].key
    return VerifyReport(checked=done, problems=tuple(problems), deep=deep)


def _check(store: Head, record: ObjectRecord, *, deep: bool) -> list[Problem]:
    try:
        info = store.head(record.key)
    except ObjectNotFound:
        return [Problem(record.key, ProblemKind.MISSING, record.sha256, None)]
    problems: list[Problem] = []
    if info.size != record.size:
        problems.append(
            Problem(record.key, ProblemKind.SIZE_MISMATCH, str(record.size), str(info.size))
        )
    if info.sha256 != record.sha256:
        problems.append(
            Problem(record.key, ProblemKind.SHA256_MISMATCH, record.sha256, info.sha256)
        )
    if deep and isinstance(store, Get):
        problems += _rehash(store, record)
    return problems


def _rehash(store: Get, record: ObjectRecord) -> list[Problem]:
    digest = hashlib.sha256()
    try:
        for chunk in store.iter_bytes(record.key):
            digest.update(chunk)
    except IntegrityError:
        pass  # the store's own check; the comparison below is against the catalog
    except ObjectNotFound:
        return [Problem(record.key, ProblemKind.MISSING, record.sha256, None)]
    if digest.hexdigest() == record.sha256:
        return []
    return [Problem(record.key, ProblemKind.CONTENT_MISMATCH, record.sha256, digest.hexdigest())]
