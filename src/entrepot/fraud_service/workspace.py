"""A user's workspace: the scoped store and the registry namespace of one account.

Both are built here from the authenticated id, never from anything a client sends: the
store view cannot reach outside ``users/{id}/``, and the registry serves only that
owner's models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.registry.service import Registry
from entrepot.services.write_protocol import Rows, record_put
from entrepot.storage.protocols import Store
from entrepot.storage.types import ObjectInfo

T = TypeVar("T")


def user_root(user_id: int) -> str:
    """The folder of a user's objects from the store's root: ``users/{id}/``."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise ValueError(f"a user id is a positive integer, not {user_id!r}")
    return f"users/{user_id}/"


@dataclass(frozen=True)
class Workspace:
    """What one user's operations go through."""

    user_id: int
    #: The store locked under :attr:`root`.
    store: Store
    #: The user's models.
    registry: Registry

    @property
    def root(self) -> str:
        """``users/{id}/``."""
        return user_root(self.user_id)

    @property
    def owner(self) -> str:
        """The owner id as the catalog's ``objects.owner`` records it."""
        return str(self.user_id)

    def full_key(self, key: str) -> str:
        """A key of :attr:`store` as a key from the store's root."""
        return self.root + key

    def inner_key(self, full_key: str) -> str:
        """A key from the store's root as a key of :attr:`store`; raises if outside."""
        if not full_key.startswith(self.root):
            raise ValueError(f"{full_key!r} is not under {self.root}")
        return full_key[len(self.root) :]

    def record_put(
        self,
        uow_factory: UnitOfWorkFactory,
        key: str,
        info: ObjectInfo,
        rows: Rows[T],
        *,
        kind: str,
        expected: tuple[str, int] | None = None,
    ) -> T:
        """The write protocol for an object just put under ``key`` of :attr:`store` (the
        store's answer ``info``): recorded under its full key as this user's, with the
        caller's ``rows``; the object is deleted again if the rows are refused."""
        return record_put(
            uow_factory,
            self.full_key(key),
            info,
            rows,
            kind=kind,
            owner=self.owner,
            remove=lambda: self.store.delete(key, missing_ok=True),
            expected=expected,
        )


def open_workspace(user: UserRecord | int, store: Store, registry: Registry) -> Workspace:
    """The workspace of ``user`` over the root ``store`` and the shared ``registry``."""
    user_id = user if isinstance(user, int) else user.id
    root = user_root(user_id)
    return Workspace(
        user_id=user_id,
        store=store.scoped(root),
        registry=registry.for_owner(str(user_id), actor=f"user:{user_id}"),
    )
