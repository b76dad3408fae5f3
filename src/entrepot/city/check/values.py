"""Two values of one metric, compared as ``city check`` compares them.

Integers, strings and None are compared exactly. A float is stored rounded to the digits
``docs/city.md`` gives it (flows to 0.1, occupancy to 0.001); two sums of the same values
taken in another order may round either side of a boundary, so floats are equal within
one step of those digits (1.01 × 10⁻ᵈ).
"""

from __future__ import annotations

import math
from typing import Any


def rounded(value: float | None, digits: int) -> float | None:
    """``value`` to ``digits`` decimals; None for None or NaN."""
    if value is None or math.isnan(value):
        return None
    return round(float(value), digits)


def same(stored: Any, recomputed: Any, digits: int | None) -> bool:
    """Whether two values of one metric agree (``digits``: a float's documented digits,
    None for an exact value)."""
    if isinstance(stored, bool) or isinstance(recomputed, bool):
        return type(stored) is type(recomputed) and stored == recomputed
    if digits is None:
        return bool(stored == recomputed)
    if not isinstance(stored, int | float) or not isinstance(recomputed, int | float):
        return bool(stored == recomputed)
    return abs(float(stored) - float(recomputed)) <= 1.01 * 10.0**-digits


def lookup(document: Any, path: str) -> Any:
    """The value at ``path`` of a stored document (``hourly.hour=7.total_flow``: keys, a
    list's position ``3``, and ``field=N`` for the item of a list whose ``field`` is ``N``);
    :data:`MISSING` when it is not there."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit():
            if int(part) >= len(value):
                return MISSING
            value = value[int(part)]
        elif isinstance(value, list) and "=" in part:
            field, wanted = part.split("=", 1)
            found = [v for v in value if isinstance(v, dict) and str(v.get(field)) == wanted]
            if len(found) != 1:
                return MISSING
            value = found[0]
        else:
            return MISSING
    return value


class _Missing:
    def __repr__(self) -> str:
        return "missing"


#: A metric the stored document does not hold.
MISSING: Any = _Missing()
