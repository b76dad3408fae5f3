"""Sessions on the server: opened at sign-in, checked on each request, ended at sign-out.

Part of :class:`~entrepot.accounts.service.AccountService`, which supplies the unit of
work and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from entrepot.accounts import tokens
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory


class Sessions:
    """The session methods of :class:`~entrepot.accounts.service.AccountService`."""

    _uow: UnitOfWorkFactory
    _clock: Callable[[], datetime]

    def open_session(self, user_id: int, lifetime: timedelta) -> str:
        """A new session of ``user_id`` for ``lifetime``: the secret its cookie carries
        (only its sha256 is kept)."""
        secret = tokens.new_session_secret()
        now = self._clock()
        with self._uow() as uow:
            uow.user_sessions.prune(now - timedelta(days=1))
            uow.user_sessions.open(user_id, tokens.token_hash(secret), now, now + lifetime)
            uow.commit()
        return secret

    def session_user(self, user_id: int, epoch: int, secret: str) -> UserRecord | None:
        """The account a session cookie names, if it is active and the session is still
        live on the server (not signed out, not expired, same epoch); else ``None``."""
        if not tokens.looks_like_session_secret(secret):
            return None
        with self._uow() as uow:
            owner = uow.user_sessions.user_of(tokens.token_hash(secret), self._clock())
            user = uow.users.find(user_id) if owner == user_id else None
        if user is None or not user.is_active or user.session_epoch != epoch:
            return None
        return user

    def end_session(self, secret: str) -> None:
        """Sign one session out on the server: its cookie, replayed, is refused."""
        if not tokens.looks_like_session_secret(secret):
            return
        with self._uow() as uow:
            uow.user_sessions.end(tokens.token_hash(secret), self._clock())
            uow.commit()
