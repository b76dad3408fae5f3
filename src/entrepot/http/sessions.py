"""Signed session cookies, CSRF tokens and safe redirects.

The session is a cookie signed with the instance secret (Starlette's
``SessionMiddleware``, itsdangerous): it holds the user id, the account's session epoch
(bumped by a password change or a deactivation, which ends every session), the secret of
its server-side session (ended by signing out, so a copied cookie replayed later is
refused), the CSRF token and the interface language. Every unsafe request authenticated
by the cookie must carry the CSRF token (a form field or the ``X-CSRF-Token`` header);
bearer tokens are not sent by browsers on their own, so API calls with one need none.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import Message, Receive, Scope, Send

from entrepot import messages as msgs
from entrepot.catalog.accounts.records import UserRecord
from entrepot.http.errors import CsrfError
from entrepot.messages import N_

SESSION_COOKIE = "entrepot_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def read_session(scope: Scope, secret_key: str, days: int) -> dict[str, Any]:
    """The session a request's cookie holds, read by Starlette's ``SessionMiddleware``
    itself (signature and age checked; empty if either fails), for code that runs
    outside it."""
    found: dict[str, Any] = {}

    async def inner(inner_scope: Scope, receive: Receive, send: Send) -> None:
        found.update(inner_scope.get("session") or {})

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    async def ignore(message: Message) -> None:
        return None

    reader = SessionMiddleware(
        inner, secret_key=secret_key, session_cookie=SESSION_COOKIE, max_age=days * 86_400
    )
    await reader(dict(scope), nothing, ignore)
    return found


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, supplied: str | None) -> None:
    """Raise :class:`CsrfError` unless ``supplied`` is the session's token."""
    expected = request.session.get("csrf")
    if not supplied or not isinstance(expected, str):
        raise CsrfError(
            "the form is missing its security token (CSRF)",
            said=msgs.Message(N_("error.http.csrf_missing")),
        )
    if not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise CsrfError(
            "the form's security token (CSRF) does not match this session",
            said=msgs.Message(N_("error.http.csrf_mismatch")),
        )


def sign_in(request: Request, user: UserRecord) -> None:
    """Start a fresh session for ``user``, recorded on the server (a new CSRF token; the
    language is kept). A session already open in this browser is ended first."""
    sign_out(request)
    accounts = request.app.state.entrepot.accounts
    days = request.app.state.options.web.session_days
    secret = accounts.open_session(user.id, timedelta(days=days))
    request.session.update({"uid": user.id, "epoch": user.session_epoch, "sid": secret})
    csrf_token(request)


def sign_out(request: Request) -> None:
    """End the session, on the server too (the language is kept)."""
    secret = request.session.get("sid")
    if isinstance(secret, str):
        request.app.state.entrepot.accounts.end_session(secret)
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def session_identity(request: Request) -> tuple[int, int, str] | None:
    """``(user id, epoch, session secret)`` the session names, or ``None``."""
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    secret = request.session.get("sid")
    if isinstance(uid, int) and isinstance(epoch, int) and isinstance(secret, str):
        return uid, epoch, secret
    return None


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site (``/datasets?x=1``), else ``default``.

    Refuses absolute URLs, scheme-relative ``//host``, backslashes (``/\\host``, which
    browsers read as ``//host``), control characters and anything not starting with
    ``/``: no open redirect after sign-in.
    """
    if not target or len(target) > 2000:
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def flash(request: Request, message: str | dict[str, object], kind: str = "info") -> None:
    """Queue a message for the next page: a sentence, or ``{"key": …, "params": {…}}``,
    which the next page writes in its own language."""
    queued = list(request.session.get("flash", []))[-4:]
    queued.append([kind, message])
    request.session["flash"] = queued


def take_flashes(request: Request) -> list[tuple[str, str | dict[str, object]]]:
    """The queued messages, removed from the session (a keyed one as it was queued)."""
    queued = request.session.pop("flash", [])
    if not isinstance(queued, list):
        return []
    return [(str(k), m if isinstance(m, dict) else str(m)) for k, m in queued]
