"""Small formatting and parsing helpers for the command line."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import typer

from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``'90s'``, ``'15m'``, ``'1h'``, ``'2d'``, ``'1h30m'`` -> a timedelta."""
    parts = re.findall(r"(\d+)\s*([smhdw])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.strip().lower()):
        raise InvalidArgument(
            f"not a duration: {text!r}",
            hint="write it as 90s, 15m, 1h, 2d or 1h30m",
            said=Message(N_("error.cli.not_a_duration"), {"given": repr(text)}),
        )
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))


def finite(value: float | None) -> float | None:
    """The callback of every float option: ``nan`` and ``inf`` pass a range check (every
    comparison with NaN is false) but are no number of seconds, rows or ratio."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number here; give a finite number, e.g. 1.5")
    return value
