"""API tokens in a unit of work's session (by the token's sha256, never the token), and
the prebuilt bearer-token check every API request runs on a plain connection."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import TokenHolder, TokenRecord
from entrepot.catalog.accounts.tables import ApiTokenRow, UserRow
from entrepot.catalog.listings import USER_COLUMNS, user_of_values
from entrepot.catalog.models.rows import utc
from entrepot.errors import RecordNotFound
from entrepot.messages import N_, Message

#: How stale a token's ``last_used_at`` may get before a use updates it.
TOUCH_EVERY = timedelta(minutes=1)


def _opt(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


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


#: The bearer-token check of every API request, built once: the token's row and its user
#: (:data:`~entrepot.catalog.listings.USER_COLUMNS`, in that order).
_TOKEN_USER = (
    select(
        ApiTokenRow.id,
        ApiTokenRow.last_used_at,
        ApiTokenRow.scope,
        ApiTokenRow.expires_at,
        *(UserRow.__table__.c[name] for name in USER_COLUMNS),
    )
    .join(UserRow, UserRow.id == ApiTokenRow.user_id)
    .where(
        ApiTokenRow.token_hash == bindparam("token_hash"),
        ApiTokenRow.revoked_at.is_(None),
        or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > bindparam("now")),
    )
)


class TokenReads:
    """The bearer check's read: the read-only unit of work's ``tokens``."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def holder(self, token_hash: str, now: datetime) -> TokenHolder | None:
        """The account an unrevoked, unexpired token belongs to, or ``None`` (one prebuilt
        query; nothing written)."""
        found = self._connection.execute(_TOKEN_USER, {"token_hash": token_hash, "now": now})
        row = found.first()
        if row is None:
            return None
        values = tuple(row)  # by position: a row's attribute costs a failed lookup first
        token_id, used, scope, expires_at = values[:4]
        stale = used is None or utc(used) < now - TOUCH_EVERY
        return TokenHolder(
            user_of_values(values[4:]),
            token_id,
            use_to_note=stale,
            scope=scope,
            expires_at=_opt(expires_at),
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
            raise RecordNotFound(
                f"no token {token_id}",
                said=Message(N_("error.catalog.no_token"), {"token": str(token_id)}),
            )
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
