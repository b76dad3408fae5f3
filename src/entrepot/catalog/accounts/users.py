"""Users, API tokens and the admin audit log, in a unit of work's session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import (
    AuditRecord,
    Page,
    TokenHolder,
    TokenRecord,
    UserRecord,
)
from entrepot.catalog.accounts.tables import ApiTokenRow, AuditRow, UserRow
from entrepot.catalog.listings import contains_pattern, user_record
from entrepot.catalog.models.rows import utc
from entrepot.errors import CatalogError, RecordExists, RecordNotFound

#: The largest page a listing serves.
MAX_PER_PAGE = 200
#: The highest page number a listing accepts (its offset stays far within 64 bits).
MAX_PAGE = 1_000_000
#: How stale a token's ``last_used_at`` may get before a use updates it.
TOUCH_EVERY = timedelta(minutes=1)


def _opt(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


class InvalidPage(CatalogError, ValueError):
    """A page number or page size out of range."""

    hint = f"ask for a page from 1 to {MAX_PAGE} with per_page from 1 to {MAX_PER_PAGE}"


def check_page(page: int, per_page: int) -> None:
    """Refuse a page number outside 1..:data:`MAX_PAGE` or a page size outside
    1..:data:`MAX_PER_PAGE` (:class:`InvalidPage`)."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidPage(f"there is no page {page}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidPage(f"a page holds 1 to {MAX_PER_PAGE} items, not {per_page}")


class UserRepository:
    """Reads and writes ``users`` rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        email: str,
        name: str,
        password_hash: str | None,
        is_admin: bool,
        now: datetime,
        oidc_subject: str | None = None,
    ) -> UserRecord:
        """Create an active account; raises :class:`RecordExists` if the email is taken."""
        row = UserRow(
            email=email,
            name=name,
            password_hash=password_hash,
            is_admin=is_admin,
            is_active=True,
            session_epoch=0,
            quota_seq=0,
            oidc_subject=oidc_subject,
            created_at=now,
        )
        self._session.add(row)
        try:
            self._session.flush()
        except SqlIntegrityError:
            raise RecordExists(
                f"an account already exists for {email}",
                hint="sign in instead, or use another email address",
            ) from None
        return user_record(row)

    def get(self, user_id: int) -> UserRecord:
        """The account ``user_id``; raises :class:`RecordNotFound`."""
        return user_record(self._row(user_id))

    def find(self, user_id: int) -> UserRecord | None:
        """The account ``user_id``, or ``None``."""
        row = self._session.get(UserRow, user_id)
        return None if row is None else user_record(row)

    def by_email(self, email: str) -> UserRecord | None:
        """The account of ``email`` (already normalised), or ``None``."""
        row = self._session.scalars(select(UserRow).where(UserRow.email == email)).first()
        return None if row is None else user_record(row)

    def emails(self) -> tuple[str, ...]:
        """Every account's email (for the look-alike check of a new account)."""
        return tuple(self._session.scalars(select(UserRow.email)))

    def by_oidc_subject(self, subject: str) -> UserRecord | None:
        """The account linked to an OpenID Connect subject, or ``None``."""
        query = select(UserRow).where(UserRow.oidc_subject == subject)
        row = self._session.scalars(query).first()
        return None if row is None else user_record(row)

    def password_hash(self, user_id: int) -> str | None:
        """The stored password hash of ``user_id``."""
        return self._row(user_id).password_hash

    def update(self, user_id: int, **values: Any) -> UserRecord:
        """Change columns of ``user_id`` (``password_hash``, ``is_admin``, ``is_active``,
        ``name``, ``last_login_at``, ``oidc_subject``)."""
        allowed = {"password_hash", "is_admin", "is_active", "name", "last_login_at"}
        allowed.add("oidc_subject")
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        row = self._row(user_id)
        for name, value in values.items():
            setattr(row, name, value)
        self._session.flush()
        return user_record(row)

    def bump_epoch(self, user_id: int) -> None:
        """Invalidate every session of ``user_id``."""
        self._row(user_id).session_epoch += 1
        self._session.flush()

    def lock_for_quota(self, user_id: int) -> None:
        """Write-lock the user's row until the transaction ends, so that quota checks of one
        user run one after the other (a row lock on PostgreSQL, the write lock on SQLite)."""
        statement = (
            update(UserRow).where(UserRow.id == user_id).values(quota_seq=UserRow.quota_seq + 1)
        )
        if self._session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
            raise RecordNotFound(f"no user {user_id}")

    def search(
        self,
        *,
        query: str = "",
        admin: bool | None = None,
        active: bool | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> Page[UserRecord]:
        """Accounts whose email or name contains ``query``, filtered, newest first."""
        check_page(page, per_page)
        conditions: list[ColumnElement[bool]] = []
        if query:
            pattern = contains_pattern(query)
            conditions.append(
                UserRow.email.like(pattern, escape="\\")
                | func.lower(UserRow.name).like(pattern, escape="\\")
            )
        if admin is not None:
            conditions.append(UserRow.is_admin == admin)
        if active is not None:
            conditions.append(UserRow.is_active == active)
        total = self._session.scalar(select(func.count()).select_from(UserRow).where(*conditions))
        rows = self._session.scalars(
            select(UserRow)
            .where(*conditions)
            .order_by(UserRow.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page(tuple(user_record(r) for r in rows), int(total or 0), page, per_page)

    def count(self, *, admin: bool | None = None) -> int:
        """How many accounts exist (only admins, or only others)."""
        query = select(func.count()).select_from(UserRow)
        if admin is not None:
            query = query.where(UserRow.is_admin == admin)
        return int(self._session.scalar(query) or 0)

    def signups_by_day(self, since: datetime) -> list[tuple[str, int]]:
        """``(YYYY-MM-DD, count)`` of accounts created since ``since``, by day."""
        rows = self._session.scalars(select(UserRow.created_at).where(UserRow.created_at >= since))
        counts: dict[str, int] = {}
        for created in rows:
            day = utc(created).date().isoformat()
            counts[day] = counts.get(day, 0) + 1
        return sorted(counts.items())

    def delete(self, user_id: int) -> UserRecord:
        """Remove the account (its tokens, licences, jobs, datasets and predictions rows go
        with it by cascade); raises :class:`RecordNotFound`."""
        row = self._row(user_id)
        record = user_record(row)
        self._session.delete(row)
        self._session.flush()
        return record

    def _row(self, user_id: int) -> UserRow:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise RecordNotFound(f"no user {user_id}", hint="list the users in the admin pages")
        return row


def _token(row: ApiTokenRow) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=utc(row.created_at),
        last_used_at=_opt(row.last_used_at),
        revoked_at=_opt(row.revoked_at),
        expires_at=_opt(row.expires_at),
        scope=row.scope,
        parent_id=row.parent_id,
    )


#: The bearer-token check of every API request, built once: the token's row and its user.
_TOKEN_USER = (
    select(
        ApiTokenRow.id.label("token_id"),
        ApiTokenRow.last_used_at.label("token_used_at"),
        ApiTokenRow.scope.label("token_scope"),
        ApiTokenRow.expires_at.label("token_expires_at"),
        *UserRow.__table__.columns,
    )
    .join(UserRow, UserRow.id == ApiTokenRow.user_id)
    .where(
        ApiTokenRow.token_hash == bindparam("token_hash"),
        ApiTokenRow.revoked_at.is_(None),
        or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > bindparam("now")),
    )
)


def token_holder(connection: Connection, token_hash: str, now: datetime) -> TokenHolder | None:
    """The account an unrevoked, unexpired token belongs to, or ``None`` (one prebuilt
    query; nothing written)."""
    row = connection.execute(_TOKEN_USER, {"token_hash": token_hash, "now": now}).first()
    if row is None:
        return None
    used = row.token_used_at
    stale = used is None or utc(used) < now - TOUCH_EVERY
    return TokenHolder(
        user_record(row),
        row.token_id,
        use_to_note=stale,
        scope=row.token_scope,
        expires_at=_opt(row.token_expires_at),
    )


class TokenRepository:
    """Reads and writes ``api_tokens`` rows (by the token's sha256, never the token)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        user_id: int,
        name: str,
        token_hash: str,
        prefix: str,
        now: datetime,
        expires_at: datetime | None = None,
        scope: str = "write",
        parent_id: int | None = None,
    ) -> TokenRecord:
        """Record a new token of ``user_id`` (valid until revoked, or until ``expires_at``),
        minted by token ``parent_id`` if a token minted it."""
        row = ApiTokenRow(
            user_id=user_id,
            name=name,
            token_hash=token_hash,
            prefix=prefix,
            created_at=now,
            expires_at=expires_at,
            scope=scope,
            parent_id=parent_id,
        )
        self._session.add(row)
        self._session.flush()
        return _token(row)

    def note_use(self, token_id: int, now: datetime) -> None:
        """Record that token ``token_id`` was used at ``now`` (callers do so at most once a
        minute per token: :attr:`TokenHolder.use_to_note`)."""
        self._session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now)
        )

    def list(self, user_id: int) -> tuple[TokenRecord, ...]:
        """The tokens of ``user_id``, newest first (revoked ones included)."""
        rows = self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id)
            .order_by(ApiTokenRow.id.desc())
        )
        return tuple(_token(r) for r in rows)

    def live(self, user_id: int, token_id: int, now: datetime) -> TokenRecord | None:
        """Token ``token_id`` of ``user_id`` if it is unrevoked and unexpired at ``now``,
        its row locked until the commit (so that a revocation waits for a token it mints)."""
        row = self._session.scalars(
            select(ApiTokenRow)
            .where(
                ApiTokenRow.id == token_id,
                ApiTokenRow.user_id == user_id,
                ApiTokenRow.revoked_at.is_(None),
                or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > now),
            )
            .with_for_update()
        ).first()
        return None if row is None else _token(row)

    def revoke(self, user_id: int, token_id: int, now: datetime) -> TokenRecord:
        """Revoke token ``token_id`` of ``user_id`` and every token it minted, transitively;
        another user's token is not found."""
        row = self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id)
            .with_for_update()
        ).first()
        if row is None:
            raise RecordNotFound(f"no token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = now
        self._session.flush()
        self._revoke_descendants(user_id, {row.id}, now)
        return _token(row)

    def _revoke_descendants(self, user_id: int, parents: set[int], now: datetime) -> None:
        """Revoke every token minted, directly or not, by a token of ``parents``."""
        seen = set(parents)
        while parents:
            children = (
                set(
                    self._session.scalars(
                        select(ApiTokenRow.id).where(
                            ApiTokenRow.user_id == user_id, ApiTokenRow.parent_id.in_(parents)
                        )
                    )
                )
                - seen
            )
            if children:
                self._session.execute(
                    update(ApiTokenRow)
                    .where(ApiTokenRow.id.in_(children), ApiTokenRow.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
            seen |= children
            parents = children

    def revoke_all(self, user_id: int, now: datetime, *, keep: frozenset[int] = frozenset()) -> int:
        """Revoke every live token of ``user_id`` but those in ``keep``; returns how many."""
        statement = (
            update(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if keep:
            statement = statement.where(ApiTokenRow.id.not_in(keep))
        return int(self._session.execute(statement).rowcount)  # type: ignore[attr-defined]


class AuditRepository:
    """The append-only log of admin actions, sign-ups and sign-ins (done or failed)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        at: datetime,
        actor_id: int | None,
        actor: str,
        action: str,
        target: str,
        details: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one action."""
        row = AuditRow(
            at=at,
            actor_id=actor_id,
            actor=actor[:320],
            action=action[:64],
            target=target[:400],
            details=dict(details or {}),
        )
        self._session.add(row)
        self._session.flush()
        return _audit(row)

    def list(self, *, page: int = 1, per_page: int = 50) -> Page[AuditRecord]:
        """The log, newest first."""
        check_page(page, per_page)
        total = self._session.scalar(select(func.count()).select_from(AuditRow))
        rows = self._session.scalars(
            select(AuditRow)
            .order_by(AuditRow.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page(tuple(_audit(r) for r in rows), int(total or 0), page, per_page)


def _audit(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        at=utc(row.at),
        actor_id=row.actor_id,
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=dict(row.details or {}),
    )
