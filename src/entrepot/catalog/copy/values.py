"""Row values as both databases agree on them: a copy is compared value by value, never
byte by byte.

A ``DateTime(timezone=True)`` comes back aware from PostgreSQL and naive (UTC, as written)
from SQLite: both become aware UTC before they are inserted, so PostgreSQL never reads a
naive value in its session time zone, and before they are compared. ``CHAR`` padding is
dropped. Inside JSON documents, keys are compared in sorted order and numbers as the IEEE
doubles JSON carries: PostgreSQL's JSONB keeps a number as ``numeric`` text, so ``-0.0``
comes back ``0.0``, ``1e300`` comes back as an integer of 301 digits and ``3.0`` may come
back ``3``; each is the same value, and the same canonical text here.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def normalized(value: Any) -> Any:
    """``value`` ready to insert into either database."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def canonical(row: dict[str, Any]) -> bytes:
    """One row as canonical bytes: the same on SQLite and PostgreSQL for the same values."""
    return json.dumps(
        {name: plain(value) for name, value in row.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def plain(value: Any, *, nested: bool = False) -> Any:
    """``value`` as canonical JSON data, recursively: a column's integer exactly, a float
    and every number inside a document as the text of its double."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and not nested:
        return value
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, datetime):
        return normalized(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.rstrip(" ") if value.endswith(" ") else value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(key): plain(item, nested=True) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item, nested=True) for item in value]
    raise TypeError(f"cannot compare a {type(value).__name__} value")  # pragma: no cover


def _number(value: int | float | Decimal) -> str:
    try:
        number = float(value)
    except OverflowError:  # an integer past any double: only its digits can compare
        return f"n:{value}"
    if math.isnan(number):
        return "n:nan"
    return f"n:{number + 0.0!r}"  # -0.0 + 0.0 is 0.0
