"""Text both catalog backends keep: PostgreSQL refuses a NUL character in text and JSON,
and a lone surrogate is not UTF-8; SQLite takes both. What would be refused there is
refused here first, on every backend, naming where it is and the fix, so an instance can
always be copied to PostgreSQL (``entrepot db copy``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from entrepot.errors import UnstorableText
from entrepot.messages import N_, Message

#: A NUL or a lone surrogate (a str holds a pair as one character, so any is lone).
_BAD = re.compile("[\x00\ud800-\udfff]")
#: The table an INSERT or an UPDATE writes, for the refusal of a statement's parameters.
_WRITTEN = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?(\w+)', re.IGNORECASE)


def bad_text(value: str) -> bool:
    """Whether ``value`` holds a NUL or a lone surrogate (anything PostgreSQL refuses)."""
    return _BAD.search(value) is not None


def first_bad(value: Any) -> str | None:
    """The first text inside ``value`` (str, mapping keys and values, lists) no backend
    can keep, else ``None``."""
    if isinstance(value, str):
        return value if bad_text(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = first_bad(key) if isinstance(key, str) else None
            if found is None:
                found = first_bad(item)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for item in value:
            if (found := first_bad(item)) is not None:
                return found
    return None


def refuse_bad_text(value: Any, *, what: str) -> None:
    """Raise :class:`UnstorableText` naming ``what`` (a column, a field) and the text
    (escaped) when ``value`` holds text no backend can keep."""
    found = first_bad(value)
    if found is None:
        return
    shown = found.encode("unicode_escape", "backslashreplace").decode("ascii")[:80]
    raise UnstorableText(
        f"{what} holds a character no catalog can store (a NUL or a lone surrogate): {shown}",
        hint="remove the character (rename the column, or clean the file) and try again",
        said=Message(N_("error.unstorable_text"), {"what": what, "text": shown}),
    )


def refuse_bad_parameters(statement: str, parameters: Any) -> None:
    """Refuse a statement's parameters (one set, or the sets of an ``executemany``) when a
    text among them cannot be kept: the catalog's last check, on both backends, behind the
    doors that name the field (ADR 0074)."""
    sets = parameters if isinstance(parameters, list) else [parameters]
    for each in sets:
        if isinstance(each, Mapping):
            values: Any = each.values()
        elif isinstance(each, (list, tuple)):
            values = each
        else:
            values = (each,)
        for value in values:
            if isinstance(value, str) and bad_text(value):
                written = _WRITTEN.match(statement)
                table = written.group(1) if written else None
                refuse_bad_text(
                    value, what=f"a value for the catalog's {table} table" if table else "a value"
                )
