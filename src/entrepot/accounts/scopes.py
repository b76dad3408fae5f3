"""What an API token may do: its scope, and the one check of it.

Three scopes, each covering the ones before it: ``read`` (``GET``, ``HEAD``, ``OPTIONS``),
``write`` (every change: ``POST``, ``PUT``, ``PATCH``, ``DELETE``) and ``admin`` (the
admin routes, and only for an administrator's token). A browser session is not a token:
it has every right its account has.

A token minted by a token never exceeds its parent's scope nor outlives it
(:func:`child_grant`); revoking a token revokes what it minted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from entrepot.accounts.errors import InvalidAccountInput, NotAllowed
from entrepot.messages import N_, Message


class Scope(StrEnum):
    """What a token may do; each scope covers those before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def covers(self, needed: Scope) -> bool:
        """Whether this scope allows what ``needed`` allows."""
        return _RANK[self] >= _RANK[needed]


_RANK = {Scope.READ: 0, Scope.WRITE: 1, Scope.ADMIN: 2}
#: What a token made by a signed-in user (or an operator) may do unless asked otherwise.
DEFAULT = Scope.WRITE
#: The methods a ``read`` token may use.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ScopeTooNarrow(NotAllowed):
    """The token's scope does not allow the request."""


def parse_scope(text: str) -> Scope:
    """The scope ``text`` names; raises :class:`InvalidAccountInput`."""
    try:
        return Scope(text.strip().lower())
    except ValueError:
        raise InvalidAccountInput(
            f"{text[:40]!r} is not a token scope",
            hint="choose read, write or admin",
            said=Message(N_("error.account.scope_unknown"), {"scope": text[:40]}),
        ) from None


def needed_for(method: str) -> Scope:
    """The scope a request with ``method`` needs (``admin`` routes ask for more)."""
    return Scope.READ if method.upper() in READ_METHODS else Scope.WRITE


def require(granted: Scope, needed: Scope) -> None:
    """Raise :class:`ScopeTooNarrow` unless ``granted`` covers ``needed``."""
    if not granted.covers(needed):
        raise ScopeTooNarrow(
            f"this API token has the scope {granted.value!r}, and this request needs "
            f"{needed.value!r}",
            hint=f"use a token with the scope {needed.value!r} (POST /api/tokens with "
            f'"scope": "{needed.value}", or `entrepot users token EMAIL --scope {needed.value}`)',
            said=Message(
                N_("error.account.scope_narrow"), {"granted": granted.value, "needed": needed.value}
            ),
        )


@dataclass(frozen=True)
class Grant:
    """What a new token is given: its scope and when it stops working (``None``: never)."""

    scope: Scope
    expires_at: datetime | None


def own_grant(
    asked: Scope | None, lifetime: timedelta | None, now: datetime, *, admin: bool
) -> Grant:
    """What a token made by its account's owner (signed in, or an operator) is given:
    ``asked`` (default ``write``); ``admin`` only for an administrator."""
    scope = asked or DEFAULT
    if scope is Scope.ADMIN and not admin:
        raise NotAllowed(
            "only an administrator's token may have the scope 'admin'",
            hint="ask for the scope 'read' or 'write'",
            said=Message(N_("error.account.admin_scope")),
        )
    return Grant(scope, None if lifetime is None else now + lifetime)


def child_grant(
    parent: Grant, asked: Scope | None, lifetime: timedelta | None, now: datetime
) -> Grant:
    """What a token minted by a token is given: at most the parent's scope (by default,
    the parent's) and an expiry no later than the parent's (by default, the parent's)."""
    scope = asked or parent.scope
    if not parent.scope.covers(scope):
        raise ScopeTooNarrow(
            f"a token with the scope {parent.scope.value!r} cannot make a token with the "
            f"scope {scope.value!r}",
            hint=f"ask for {parent.scope.value!r} or less, or sign in to make a wider token",
            said=Message(
                N_("error.account.scope_wider"),
                {"parent": parent.scope.value, "scope": scope.value},
            ),
        )
    expires_at = parent.expires_at if lifetime is None else now + lifetime
    if parent.expires_at is not None and (expires_at is None or expires_at > parent.expires_at):
        raise InvalidAccountInput(
            "a token made with a token cannot outlive it: this token expires at "
            f"{parent.expires_at:%Y-%m-%d %H:%M} UTC",
            hint="ask for fewer days (or none: the new token then expires with this one), "
            "or sign in to make a longer-lived token",
            said=Message(
                N_("error.account.token_outlives"), {"at": f"{parent.expires_at:%Y-%m-%d %H:%M}"}
            ),
        )
    return Grant(scope, expires_at)
