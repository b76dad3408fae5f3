"""API tokens and session secrets: random, stored as their sha256."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "ent_"


def new_token() -> str:
    """A fresh token: ``ent_`` and 43 URL-safe characters (256 random bits)."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The sha256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """The start of a token, enough to recognise it in a list."""
    return token[: len(PREFIX) + 6]


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has the shape of a token (checked before any lookup)."""
    return text.startswith(PREFIX) and 20 <= len(text) <= 100 and text.isascii()


def new_session_secret() -> str:
    """The secret a session cookie carries: 43 URL-safe characters (256 random bits)."""
    return secrets.token_urlsafe(32)


def looks_like_session_secret(text: object) -> bool:
    """Whether ``text`` has the shape of a session secret (checked before any lookup)."""
    return isinstance(text, str) and len(text) == 43 and text.isascii()
