"""API tokens: made (within their parent's scope and lifetime), listed, revoked, and the
bearer a request names.

Part of :class:`~entrepot.accounts.service.AccountService`, which supplies the unit of
work, the read connection and the clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from entrepot.accounts import tokens
from entrepot.accounts.errors import InvalidAccountInput
from entrepot.accounts.scopes import (
    Grant,
    Scope,
    child_grant,
    needed_for,
    own_grant,
    parse_scope,
    require,
)
from entrepot.catalog.accounts.records import TokenHolder, TokenRecord, UserRecord
from entrepot.catalog.reads import ReadsFactory
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.messages import N_, Message

_TOKEN_NAME = re.compile(r"^[\w .@-]{1,64}$")
#: The longest an expiring API token may live.
MAX_TOKEN_LIFETIME = timedelta(days=3650)


class ApiTokens:
    """The API token methods of :class:`~entrepot.accounts.service.AccountService`."""

    _uow: UnitOfWorkFactory
    _read: ReadsFactory
    _clock: Callable[[], datetime]

    def create_token(
        self,
        user_id: int,
        name: str = "api",
        *,
        expires_in: timedelta | None = None,
        scope: str | None = None,
        parent_id: int | None = None,
    ) -> tuple[TokenRecord, str]:
        """A new API token of ``user_id``: its record and the token, shown only now. With
        ``expires_in`` the token stops working after that long; ``scope`` (``read``,
        ``write`` or ``admin``: :class:`~entrepot.accounts.scopes.Scope`) defaults to
        ``write`` (``admin`` only for an administrator).

        Made with the token ``parent_id`` (a request authenticated by a token), the new
        token never exceeds its parent's scope (by default, it has it) nor outlives it (by
        default, it expires with it), and revoking the parent revokes it; raises
        :class:`~entrepot.accounts.scopes.ScopeTooNarrow` or :class:`InvalidAccountInput`."""
        if expires_in is not None and not timedelta(0) < expires_in <= MAX_TOKEN_LIFETIME:
            raise InvalidAccountInput(
                "a token's lifetime must be between a second and ten years",
                hint="give the number of days it should work, e.g. 90",
                said=Message(N_("error.token_lifetime")),
            )
        if not _TOKEN_NAME.fullmatch(name):
            raise InvalidAccountInput(
                f"token name {name[:70]!r} is not accepted",
                hint="use 1 to 64 letters, digits, spaces, '.', '@', '_' or '-'",
                said=Message(N_("error.token_name"), {"name": name[:70]}),
            )
        asked = None if scope is None else parse_scope(scope)
        token = tokens.new_token()
        now = self._clock()
        with self._uow() as uow:
            user = uow.users.get(user_id)
            if parent_id is None:
                grant = own_grant(asked, expires_in, now, admin=user.is_admin)
            else:
                parent = uow.tokens.live(user_id, parent_id, now)
                if parent is None:
                    raise InvalidAccountInput(
                        "the token this request came with is revoked or expired",
                        hint="sign in, or use a live token",
                        said=Message(N_("error.account.parent_token_gone")),
                    )
                ceiling = Grant(Scope(parent.scope), parent.expires_at)
                if ceiling.scope is Scope.ADMIN and not user.is_admin:  # no longer an admin
                    ceiling = Grant(Scope.WRITE, ceiling.expires_at)
                grant = child_grant(ceiling, asked, expires_in, now)
            record = uow.tokens.add(
                user_id=user_id,
                name=name,
                token_hash=tokens.token_hash(token),
                prefix=tokens.display_prefix(token),
                now=now,
                expires_at=grant.expires_at,
                scope=grant.scope.value,
                parent_id=parent_id,
            )
            uow.commit()
        return record, token

    def tokens(self, user_id: int) -> tuple[TokenRecord, ...]:
        """The tokens of ``user_id``, newest first."""
        with self._uow() as uow:
            return uow.tokens.list(user_id)

    def revoke_token(self, user_id: int, token_id: int) -> TokenRecord:
        """Revoke one of ``user_id``'s tokens (another user's is not found) and every token
        it minted, transitively."""
        with self._uow() as uow:
            record = uow.tokens.revoke(user_id, token_id, self._clock())
            uow.commit()
        return record

    def token_user(self, token: str) -> UserRecord | None:
        """The active account a bearer token belongs to, or ``None``."""
        holder = self.bearer(token)
        return None if holder is None else holder.user

    @staticmethod
    def check_scope(holder: TokenHolder, method: str, *, admin: bool = False) -> None:
        """Raise :class:`~entrepot.accounts.scopes.ScopeTooNarrow` unless the token's scope
        allows a request with ``method`` (``read`` for ``GET``/``HEAD``, ``write`` for a
        change) or, with ``admin``, an admin route."""
        require(Scope(holder.scope), Scope.ADMIN if admin else needed_for(method))

    @staticmethod
    def token_acts_as_admin(holder: TokenHolder) -> bool:
        """Whether the token may use an admin route (its account must be an administrator)."""
        return Scope(holder.scope).covers(Scope.ADMIN)

    def bearer(self, token: str) -> TokenHolder | None:
        """The live token ``token`` (its id, scope and expiry) and its active account, or
        ``None``."""
        if not tokens.looks_like_token(token):
            return None
        now = self._clock()
        with self._read() as catalog:
            holder = catalog.tokens.holder(tokens.token_hash(token), now)
        if holder is None:
            return None
        if holder.use_to_note:  # a write at most once a minute per token
            with self._uow() as uow:
                uow.tokens.note_use(holder.token_id, now)
                uow.commit()
        return holder if holder.user.is_active else None
