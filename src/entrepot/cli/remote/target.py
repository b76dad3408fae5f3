"""Which instance a command works on: a deployed service (``ENTREPOT_URL`` with
``ENTREPOT_TOKEN``, else the login ``entrepot login`` kept), or the local one (``None``).

The variables win over the login; ``ENTREPOT_URL`` alone takes the login's token when the
login is for the same URL, and is an error otherwise (a request without a token would only
be refused)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from entrepot.cli.remote.login_file import Login, login_path, read_login
from entrepot.errors import ConfigError, InvalidArgument
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class Remote:
    """A deployed service this command line works on, and where that was said."""

    url: str
    token: str
    #: ``ENTREPOT_URL`` or the login file's path.
    source: str


#: Characters of a refused URL shown in the refusal; the longest host name DNS allows.
_SHOWN, _HOST_MOST = 120, 253


def service_url(text: str) -> str:
    """``text`` as a service's base URL (``http(s)://host[:port][/prefix]``, no trailing
    slash); anything else is an :class:`InvalidArgument` saying what a URL looks like."""
    url = text.strip().rstrip("/")
    shown = repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
        if not url.isprintable() or " " in url:  # a CR/LF would split the request
            raise ValueError("a control character or a space")
        if parts.hostname:
            if len(parts.hostname) > _HOST_MOST:
                raise ValueError("a host name longer than DNS allows")
            parts.hostname.encode("idna")  # raises on an empty or over-long label
    except (ValueError, UnicodeError):
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(
            f"{shown} is not the URL of a service",
            hint="give its address with http:// or https://, e.g. https://entrepot.example.org",
            said=Message(N_("error.cli.not_a_service_url"), {"url": shown}),
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidArgument(
            f"{shown} is not the URL of a service: no user, query or fragment",
            hint="give only its address, e.g. https://entrepot.example.org, and the token apart",
            said=Message(N_("error.cli.service_url_extras"), {"url": shown}),
        )
    return url


def choose(url: str | None, token: str | None, stored: Login | None, where: str) -> Remote | None:
    """The service named by the variables ``url`` and ``token``, else the ``stored`` login
    (kept at ``where``), else ``None``: the local instance."""
    if url:
        found = token or (
            stored.token if stored and service_url(stored.url) == service_url(url) else ""
        )
        if not found:
            raise ConfigError(
                f"ENTREPOT_URL is {url} but no token goes with it",
                hint="set ENTREPOT_TOKEN too, or `entrepot login URL` once",
                said=Message(N_("error.cli.url_without_token"), {"url": url}),
            )
        return Remote(service_url(url), found, "ENTREPOT_URL")
    if token:
        if stored is None:
            raise ConfigError(
                "ENTREPOT_TOKEN is set but not ENTREPOT_URL",
                hint="set ENTREPOT_URL to the service's address",
                said=Message(N_("error.cli.token_without_url")),
            )
        return Remote(service_url(stored.url), token, where)
    if stored is None:
        return None
    return Remote(service_url(stored.url), stored.token, where)


@cache
def process_remote() -> Remote | None:
    """The service this process's commands work on (read once; the runner forgets it
    between command lines), or ``None``: the local instance."""
    from entrepot.config import load_settings

    settings = load_settings()
    path = login_path()
    return choose(settings.url, settings.token, read_login(path), str(path))
