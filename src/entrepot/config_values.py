"""How a setting's text becomes a typed value, and where that text comes from.

:class:`entrepot.config.Settings` declares its fields as a dataclass; this module reads
their ``ENTREPOT_*`` variables (the environment first, then a ``.env`` file in the
working folder, names in any case) and converts each one by its declared type: ``str``,
``int``, ``float``, ``bool``, ``Path``, a ``Literal`` of choices, a tuple of strings
(written as JSON), each possibly ``| None``. A value that does not convert raises
:class:`SettingError` with the words a user reads (ADR 0030).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
