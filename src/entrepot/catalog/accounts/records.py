"""Domain values of the accounts, read from the catalog: frozen dataclasses, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class UserRecord:
    """An account (never its password hash)."""

    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    #: Sessions carry the epoch they were opened in; bumping it signs every one out.
    session_epoch: int
    has_password: bool
    oidc_subject: str | None
    created_at: datetime
    last_login_at: datetime | None

    @property
    def namespace(self) -> str:
        """The id as the store and the registry name the user's folder: ``users/{namespace}/``."""
        return str(self.id)


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token as listed (never the token itself)."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    #: ``None``: valid until revoked.
    expires_at: datetime | None = None
    #: ``read``, ``write`` or ``admin``.
    scope: str = "write"
    #: The token that minted this one, if a token did.
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """The account a live API token belongs to, as a bearer request meets it."""

    user: UserRecord
    token_id: int
    #: The token's last use is older than the catalog notes (or was never noted): note it.
    use_to_note: bool
    #: What the token may do: ``read``, ``write`` or ``admin``.
    scope: str = "write"
    #: When the token stops working (``None``: when revoked).
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LicenceRecord:
    """A licence key and, once activated, whose it is and until when."""

    id: int
    key: str
    plan: str
    duration_days: int
    user_id: int | None
    enabled: bool
    created_at: datetime
    created_by: str
    activated_at: datetime | None
    expires_at: datetime | None

    def active_at(self, now: datetime) -> bool:
        """Whether the licence is enabled, activated and not yet expired at ``now``."""
        return self.enabled and self.expires_at is not None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One admin action."""

    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    target: str
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list, and how many items the whole list holds."""

    items: tuple[T, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the whole list fills (at least 1)."""
        return max(1, -(-self.total // self.per_page))
