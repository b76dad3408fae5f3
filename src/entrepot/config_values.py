"""How a setting's text becomes a typed value, and where that text comes from.

:class:`entrepot.config.Settings` declares its fields as a dataclass; this module reads
their ``ENTREPOT_*`` variables (the environment first, then a ``.env`` file in the
working folder, names in any case) and converts each one by its declared type: ``str``,
``int``, ``float``, ``bool``, ``Path``, a ``Literal`` of choices, a tuple of strings
(written as JSON), each possibly ``| None``. A value that does not convert raises
:class:`SettingError` with the words a user reads (ADR 0030).
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from entrepot.outbound import AllowedHosts
from entrepot.sizes import parse_size

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


class SettingError(ValueError):
    """One setting's value cannot be used; the message says why, in the user's words."""


def sources(prefix: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every ``prefix*`` variable, lower-cased name without the prefix -> its text: the
    ``.env`` file's, overridden by the environment's."""
    found: dict[str, str] = {}
    for source in (dotenv_values(), os.environ if environ is None else environ):
        for name, value in source.items():
            if value is not None and name.upper().startswith(prefix):
                found[name[len(prefix) :].lower()] = value
    return found


def dotenv_values() -> dict[str, str | None]:
    """The ``.env`` file of the working folder, if there is one (python-dotenv reads it)."""
    path = Path(".env")
    if not path.is_file():
        return {}
    from dotenv import dotenv_values as read

    return dict(read(path))


def convert(annotation: str, value: Any) -> Any:
    """``value`` (text from a variable, or a Python value given in code) as the type
    ``annotation`` names; raises :class:`SettingError`."""
    kind = annotation.replace(" ", "")
    if kind.endswith("|None"):
        if value is None:
            return None
        kind = kind.removesuffix("|None")
    if kind.startswith("Literal["):
        choices = tuple(json.loads("[" + kind[8:-1].replace("'", '"') + "]"))
        if value in choices:
            return value
        said = " or ".join(repr(c) for c in choices)
        raise SettingError(f"should be {said}") from None
    return _CONVERTERS[kind](value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise SettingError("should be a valid string") from None


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise SettingError("should be a valid integer") from None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise SettingError(
            "should be a valid integer, unable to parse string as an integer"
        ) from None


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise SettingError("should be a valid number") from None
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SettingError("should be a valid number, unable to parse string as a number") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingError("should be a valid boolean (true or false)") from None


def _path(value: Any) -> Path:
    if isinstance(value, str | Path):
        return Path(value)
    raise SettingError("should be a path") from None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SettingError('cannot be read: write it as JSON (a list: ["a", "b"])') from None
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SettingError('should be a list of strings (in a variable, JSON: ["a", "b"])') from None


_CONVERTERS = {
    "str": _text,
    "int": _integer,
    "float": _number,
    "bool": _boolean,
    "Path": _path,
    "tuple[str,...]": _strings,
}


def _proxies(value: Any) -> Any:
    """``"10.0.0.1, 10.0.0.0/8"`` -> a tuple; each entry must be an address or a network."""
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(",") if part.strip())
    for entry in value or ():
        try:
            ipaddress.ip_network(str(entry), strict=False)
        except ValueError:
            raise SettingError(
                f"ENTREPOT_TRUSTED_PROXIES: {entry!r} is not an address or a network "
                "(write 10.0.0.1 or 10.0.0.0/8, comma-separated)"
            ) from None
    return value


def _hosts(value: Any) -> Any:
    """``"127.0.0.1; feeds=opendata.paris.fr,mirror.lan; oidc=sso.corp.lan"`` -> one
    entry a host, ``use=host`` for a host allowed for one use only (no scheme, no port, no
    path: the rule compares hosts); read once here (:meth:`Settings.outbound_hosts`)."""
    groups = value.split(";") if isinstance(value, str) else [str(v) for v in value or ()]
    try:
        return AllowedHosts.parse(groups).entries()
    except ValueError as exc:
        raise SettingError(f"ENTREPOT_OUTBOUND_ALLOWED_HOSTS: {exc}") from None


#: The schemes of a Dask scheduler the product connects to: plain TCP (``tls://`` needs
#: certificates no setting gives, ``ucx://`` a library not installed; ``http`` is the
#: scheduler's dashboard, never its own address).
SCHEDULER_SCHEMES = ("tcp",)


def _scheduler(value: Any) -> Any:
    """A Dask scheduler's address, ``tcp://HOST:PORT`` (a bare ``HOST:PORT`` is ``tcp``);
    empty: unset. Anything else is refused when the settings are read, not by a command
    waiting ten seconds on it and then failing inside the client (issue 40)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    scheme, _, rest = value.partition("://") if "://" in value else ("tcp", "", value)
    try:
        parsed = urlsplit(f"{scheme}://{rest}")
        taken = scheme in SCHEDULER_SCHEMES and bool(parsed.hostname) and parsed.port is not None
    except ValueError:  # a port out of range, a bracket left open
        taken = False
    if not taken:
        raise SettingError(
            f"ENTREPOT_DASK_URL: {value!r} is not a Dask scheduler's address the product "
            "connects to (write tcp://HOST:PORT, e.g. tcp://scheduler:8786; the dashboard's "
            "http:// is not it, and tls:// is not supported)"
        )
    return value


def _size(value: Any) -> Any:
    """``"2GiB"`` -> bytes; a number stays as given."""
    return parse_size(value) if isinstance(value, str) else value


#: The reading of a value before its conversion, by the name a field's ``before`` gives.
BEFORE = {"size": _size, "proxies": _proxies, "hosts": _hosts, "scheduler": _scheduler}


def check_bounds(value: Any, bounds: Any) -> None:
    if "ge" in bounds and value < bounds["ge"]:
        raise SettingError(f"should be greater than or equal to {bounds['ge']}")
    if "gt" in bounds and value <= bounds["gt"]:
        raise SettingError(f"should be greater than {bounds['gt']}")
    if "le" in bounds and value > bounds["le"]:
        raise SettingError(f"should be less than or equal to {bounds['le']}")
