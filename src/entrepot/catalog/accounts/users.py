"""Users, in a unit of work's session (their API tokens are in
:mod:`~entrepot.catalog.accounts.api_tokens`, the audit log in
:mod:`~entrepot.catalog.accounts.audit`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import Page, UserRecord
from entrepot.catalog.accounts.tables import UserRow
from entrepot.catalog.listings import contains_pattern, user_record
from entrepot.catalog.models.rows import utc
from entrepot.catalog.paging import check_page
from entrepot.errors import RecordExists, RecordNotFound
from entrepot.messages import N_, Message


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
                said=Message(N_("error.catalog.account_exists"), {"email": email}),
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
            raise RecordNotFound(
                f"no user {user_id}",
                said=Message(N_("error.catalog.no_user"), {"user": str(user_id)}),
            )

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
            raise RecordNotFound(
                f"no user {user_id}",
                hint="list the users in the admin pages",
                said=Message(N_("error.catalog.no_user_listed"), {"user": str(user_id)}),
            )
        return row
