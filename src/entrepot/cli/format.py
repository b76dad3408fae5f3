"""Small formatting and parsing helpers for the command line."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``'90s'``, ``'15m'``, ``'1h'``, ``'2d'``, ``'1h30m'`` -> a timedelta."""
    parts = re.findall(r"(\d+)\s*([smhdw])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.strip().lower()):
        raise ValueError(f"not a duration: {text!r} (examples: 90s, 15m, 1h, 2d, 1h30m)")
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))
