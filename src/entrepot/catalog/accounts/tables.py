"""The accounts' catalog tables: users, sessions, API tokens, licences, rate counters,
admin audit.

Registered on :class:`entrepot.catalog.base.Base`; created by migration ``0004`` (sessions,
rate counters and token expiry by ``0006``, token scopes and parents by ``0012``).
User ids are never reused (``AUTOINCREMENT`` on SQLite, a sequence on PostgreSQL): a
user's objects live under ``users/{id}/``, and a new account must never inherit a
deleted one's folder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, JsonType


class UserRow(Base):
    """An account."""

    __tablename__ = "users"
    __table_args__ = ({"sqlite_autoincrement": True},)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    #: argon2id hash; ``None`` for accounts that only sign in through OpenID Connect.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean)
    #: Bumped to invalidate every session cookie (password change, deactivation).
    session_epoch: Mapped[int] = mapped_column(Integer)
    #: Bumped by quota reservations so that they serialize on this row.
    quota_seq: Mapped[int] = mapped_column(BigInteger)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """A bearer token for scripts and the CLI; only its sha256 is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write', 'admin')", name="scope"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(CHAR(64), unique=True)
    #: The first characters of the token, to recognise it in a list.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: ``None``: valid until revoked.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: What the token may do: ``read``, ``write`` or ``admin`` (:mod:`entrepot.accounts.scopes`).
    scope: Mapped[str] = mapped_column(String(8))
    #: The token that minted this one (``None``: made by a signed-in user or an operator);
    #: revoking it revokes this one.
    parent_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )


class UserSessionRow(Base):
    """A signed-in browser session; the cookie holds a secret whose sha256 is kept here,
    so that signing out ends it on the server (a replayed cookie finds it ended)."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(CHAR(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LicenceRow(Base):
    """A licence key: created by an admin (or at sign-up for the trial), then activated."""

    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint("plan IN ('trial', 'basic', 'premium', 'enterprise')", name="plan"),
        CheckConstraint("duration_days > 0", name="duration_days"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    plan: Mapped[str] = mapped_column(String(16))
    duration_days: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(320))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RateCounterRow(Base):
    """Attempts counted in one scope (sign-ins of an email from an address, sign-ups of an
    address...) over a window that started at ``started_at``; one row per scope, so that
    counting is one atomic ``UPDATE``."""

    __tablename__ = "rate_counters"
    #: The sha256 (hex) of the scope's name: fixed length whatever the email or address.
    scope: Mapped[str] = mapped_column(CHAR(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    count: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    """One admin action; kept when the actor or the target is deleted."""

    __tablename__ = "admin_audit"
    __table_args__ = (Index("ix_admin_audit_at", "at"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(IdType)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(400))
    details: Mapped[dict[str, Any]] = mapped_column(JsonType)
