"""The write protocol, once: objects first under write-once keys, then their catalog rows
with the caller's own rows (a dataset, a prediction, a model version) in one unit of work.

Every writer of the product goes through :func:`record_written` after its objects are in
the store (``tests/unit/test_architecture.py`` holds that no other code adds an object row):

- the rows are added and committed together, so a row never points at an object that is
  not stored, and the caller's row never exists without its object rows;
- refused before the commit (a bad value, a key already recorded, the caller's own check):
  the objects are ours alone (write-once keys) and nothing will refer to them, so
  ``remove`` deletes them at once;
- the commit itself fails: it may have landed, so the objects are left in place; what no
  row records is collected by ``entrepot gc`` after its grace period.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from entrepot.catalog.objects.records import ObjectRecord
from entrepot.errors import IntegrityError, StorageError
from entrepot.messages import N_, Message
from entrepot.storage.types import ObjectInfo

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
#: The caller's own rows, added in the unit of work that records the objects.
Rows = Callable[["UnitOfWork", tuple[ObjectRecord, ...]], T]


@dataclass(frozen=True, slots=True)
class Written:
    """An object the store holds under a new write-once key, not yet recorded: its key as
    the catalog names it (a user's objects under their folder), its digest and size."""

    key: str
    sha256: str
    size: int
    kind: str
    owner: str | None = None

    @classmethod
    def stored(
        cls,
        key: str,
        info: ObjectInfo,
        *,
        kind: str,
        owner: str | None,
        expected: tuple[str, int] | None = None,
    ) -> Written:
        """What the store answered for a put under ``key``: refused without a sha256, or
        when it differs from ``expected`` (the sha256 and size the writer hashed itself)."""
        if info.sha256 is None:
            raise IntegrityError(
                "the store wrote the object but reported no sha256, so it was not recorded",
                key=key,
                hint="check the store adapter",
                said=Message(N_("error.services.no_sha256_reported"), {"object": key}),
            )
        if expected is not None and (info.sha256, info.size) != expected:
            raise IntegrityError(
                "the stored bytes differ from the bytes written",
                key=key,
                said=Message(N_("error.services.stored_bytes_differ"), {"object": key}),
            )
        return cls(key, info.sha256, info.size, kind, owner)


def record_written(
    uow_factory: UnitOfWorkFactory,
    written: Sequence[Written],
    rows: Rows[T],
    *,
    remove: Callable[[], object] | None = None,
) -> T:
    """Record ``written`` and the caller's ``rows`` in one unit of work; returns what
    ``rows`` returns. ``remove`` deletes the objects if the rows are refused before the
    commit (``None``: the caller cleans up itself, as a model push does)."""
    with uow_factory() as uow:
        try:
            records = tuple(
                uow.objects.add(
                    key=item.key,
                    sha256=item.sha256,
                    size=item.size,
                    kind=item.kind,
                    owner=item.owner,
                )
                for item in written
            )
            result = rows(uow, records)
        except Exception:
            if remove is not None:
                with contextlib.suppress(StorageError):
                    remove()
            raise
        uow.commit()
    return result


def record_put(
    uow_factory: UnitOfWorkFactory,
    key: str,
    info: ObjectInfo,
    rows: Rows[T],
    *,
    kind: str,
    owner: str | None,
    remove: Callable[[], object],
    expected: tuple[str, int] | None = None,
) -> T:
    """:func:`record_written` for one object just put under ``key`` (the store's answer
    ``info``); the object is removed as well when the store's answer is refused."""
    try:
        written = Written.stored(key, info, kind=kind, owner=owner, expected=expected)
    except IntegrityError:
        with contextlib.suppress(StorageError):
            remove()
        raise
    return record_written(uow_factory, (written,), rows, remove=remove)


def the_object(_uow: UnitOfWork, records: tuple[ObjectRecord, ...]) -> ObjectRecord:
    """No rows of the caller's own: the one object's row itself."""
    (record,) = records
    return record
