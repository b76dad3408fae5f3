"""Row values as both databases agree on them.

A ``DateTime(timezone=True)`` comes back aware from PostgreSQL and naive (UTC, as written)
from SQLite: both become aware UTC before they are inserted, so PostgreSQL never reads a
naive value in its session time zone, and before they are hashed. ``CHAR`` padding is
dropped. The digest's canonical text is JSON with sorted keys.
"""

from __future__ import annotations

import json
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
        {name: _plain(value) for name, value in row.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_fallback,
    ).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return normalized(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.rstrip(" ") if value.endswith(" ") else value
    return value


def _fallback(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot compare a {type(value).__name__} value")  # pragma: no cover
