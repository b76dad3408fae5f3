"""What ``entrepot city check`` finds: a difference (day, metric, both values) and the
result of a check (days, metrics compared, differences, what was not checked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Difference:
    """One metric of one day whose stored value is not the recomputed one."""

    day: date
    metric: str
    stored: Any
    recomputed: Any

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"day", "metric", "stored", "recomputed"}``."""
        return {
            "day": self.day.isoformat(),
            "metric": self.metric,
            "stored": self.stored,
            "recomputed": self.recomputed,
        }


@dataclass
class CheckResult:
    """What ``entrepot city check`` found: the days with a checked document, how many
    metrics were compared, every difference, and what was not checked: a stored kind
    (``report``), a metric (``traffic.top_zones``), ``kind:DAY`` for a day whose raw
    objects this check does not read (an OpenWeatherMap document, a daily summary) or
    that are gone (a document kept with its input missing), or ``traffic`` alone when a
    counts export has no day partitions."""

    days: int = 0
    metrics_checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "days": self.days,
            "metrics_checked": self.metrics_checked,
            "differences": [d.as_dict() for d in self.differences],
            "not_checked": list(self.not_checked),
        }
