"""Byte sizes for people: one formatter (``human_size``) and one parser (``parse_size``)
for every message, page, table and setting."""

from __future__ import annotations

import re

#: The binary units, by power of 1024; translated pages name them in their language.
UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def size_parts(size: float) -> tuple[float, str]:
    """``1887436.8`` -> ``(1.8, "MiB")``: the value rounded to one decimal, in the unit
    that keeps it under 1024."""
    value = float(size)
    for unit in UNITS:
        if abs(value) < 1024 or unit == UNITS[-1]:
            return round(value, 1), unit
        value /= 1024
    raise AssertionError("unreachable")


def human_size(size: float) -> str:
    """``104857600`` -> ``"100 MiB"``; ``1536`` -> ``"1.5 KiB"``; ``12`` -> ``"12 B"``."""
    value, unit = size_parts(size)
    return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"


def parse_size(text: str) -> int:
    """Parse ``"2GiB"``, ``"500 MB"``, ``"1048576"`` into bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*", text, re.IGNORECASE)
    if not match:
        raise ValueError(f"not a size: {text!r} (try '2GiB' or '500MB')")
    number, unit = float(match.group(1)), (match.group(2) or "").lower().rstrip("b")
    powers = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}
    base = 1024 if unit.endswith("i") else 1000
    return int(number * base ** powers[unit.rstrip("i")])
