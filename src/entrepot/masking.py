"""URLs shown to people, with their password hidden: the one place that masks them.

A database URL is rendered by SQLAlchemy itself (``make_url(url).render_as_string(
hide_password=True)``); any other URL (``s3://``, ``mongodb://``, ``redis://``...) has the
password of its user info replaced the same way. Masking never searches for the password
in the text: a short password such as ``p`` would otherwise turn ``port`` into ``***ort``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

#: What a password is shown as.
HIDDEN = "***"
#: URL schemes SQLAlchemy parses (the part before ``+driver``).
_SQL_SCHEMES = frozenset({"sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql"})
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_PASSWORD_PAIR = re.compile(r"(\bpassword\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s,;)]+)", re.IGNORECASE)


def mask_url(url: str | URL) -> str:
    """``url`` as text with its password, if any, replaced by ``***``."""
    if not isinstance(url, str):
        return url.render_as_string(hide_password=True)
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparsable URL>"
    if password is None:
        return url
    if parts.scheme.split("+", 1)[0] in _SQL_SCHEMES:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return make_url(url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):
            pass  # not SQLAlchemy's form: masked as any other URL below
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{HIDDEN}@{host}"))


def mask_urls_in(text: str) -> str:
    """``text`` (a driver's message, say) with the password of every URL in it masked,
    and every ``password=...`` pair of a connection string too."""
    masked = _URL_IN_TEXT.sub(lambda match: mask_url(match.group(0)), text)
    return _PASSWORD_PAIR.sub(lambda match: match.group(1) + HIDDEN, masked)
