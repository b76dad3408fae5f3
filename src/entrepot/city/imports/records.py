"""What an import produces: time-series pieces placed by their own timestamps, and the
result reported to the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Placed:
    """One JSON document of a time series, for the hourly partition holding ``at``."""

    source: str
    at: datetime
    stem: str
    document: Any


@dataclass
class Series:
    """A time-series file normalised into placed documents, with its warnings."""

    placed: list[Placed] = field(default_factory=list)
    rows: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did."""

    name: str
    kind: str
    keys: tuple[str, ...]
    already_present: int
    rows: int
    first_day: date | None
    last_day: date | None
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "file": self.name,
            "kind": self.kind,
            "objects": len(self.keys),
            "already_present": self.already_present,
            "rows": self.rows,
            "days": None
            if self.first_day is None or self.last_day is None
            else [self.first_day.isoformat(), self.last_day.isoformat()],
            "keys": list(self.keys[:5]) + (["..."] if len(self.keys) > 5 else []),
            "warnings": list(self.warnings),
        }
