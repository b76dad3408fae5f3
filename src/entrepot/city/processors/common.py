"""Helpers shared by the processors: the document envelope and JSON-safe numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from entrepot.city.lake import InputRef
from entrepot.city.messages import notes_fields


def document(
    kind: str,
    day: date,
    metrics: dict[str, Any],
    inputs: Iterable[InputRef],
    warnings: Iterable[str],
) -> dict[str, Any]:
    """The metrics document of one type for one day."""
    return {
        "type": kind,
        "date": day.isoformat(),
        "metrics": metrics,
        "inputs": [{"key": i.key, "sha256": i.sha256, "size": i.size} for i in inputs],
        **notes_fields(warnings),
    }


def num(value: Any, digits: int = 2) -> float | None:
    """A rounded float, or None for a missing or non-finite value."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else round(number, digits)


def ratio(part: float, whole: float, digits: int = 2) -> float | None:
    """``part / whole`` rounded, None when ``whole`` is 0."""
    return round(part / whole, digits) if whole else None
