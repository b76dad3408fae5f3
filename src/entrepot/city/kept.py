"""Computed results kept when their input went missing (issue 26).

A (source, day) computed earlier whose raw input is gone now (a moved installation whose
lake stayed behind, a counts export replaced by one without that day) keeps its stored
document: the run marks it instead of deleting it. The mark is a fact in the document,
``input_missing: {"since": "YYYY-MM-DD", "reason": ...}``, and one warning for people;
both are removed only by a recompute, which happens when an input changes (its sha256, as
the watermarks decide). Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from entrepot.city.messages import WARNING_INPUT_MISSING, Message

#: The document's field that marks it kept with its input missing.
FIELD = "input_missing"


def warning(since: date, reason: str) -> str:
    """The warning a kept document carries."""
    return (
        f"input missing since {since.isoformat()}: {reason}; the results computed before are kept"
    )


def missing_since(document: Mapping[str, Any]) -> date | None:
    """The day the document's input was first found missing, or ``None``."""
    mark = document.get(FIELD)
    if not isinstance(mark, Mapping) or not isinstance(mark.get("since"), str):
        return None
    return date.fromisoformat(mark["since"])


def marked(document: Mapping[str, Any], since: date, reason: str) -> dict[str, Any] | None:
    """``document`` marked as kept with its input missing since ``since``, or ``None`` if
    it already is (a run that finds the input still missing writes nothing)."""
    if missing_since(document) is not None:
        return None
    warnings = [str(w) for w in document.get("warnings") or []]
    messages = list(document.get("warning_messages") or [None] * len(warnings))
    note = Message(WARNING_INPUT_MISSING, {"since": since.isoformat()})
    return {
        **document,
        FIELD: {"since": since.isoformat(), "reason": reason},
        "warnings": [*warnings, warning(since, reason)],
        "warning_messages": [*messages, note.to_json()],
    }
