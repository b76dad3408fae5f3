"""Walk the stored city documents of some days and compare each recomputed metric with its
stored value (:mod:`.traffic`, :mod:`.weather`); what is not recomputed is named in the
result, never left out silently."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from entrepot.city.check import bikes, roadworks, traffic, weather
from entrepot.city.check.records import CheckResult, Difference
from entrepot.city.check.traffic import Lake, Recomputed
from entrepot.city.check.values import MISSING, lookup, same
from entrepot.city.metrics.base import MetricsStore

#: The kinds recomputed here; every other stored kind is named in ``not_checked``.
CHECKED = ("bikes", "roadworks", "traffic", "weather")


def _shown(value: Any) -> Any:
    return None if value is MISSING else value


def _compare(
    kind: str, day: date, stored: dict[str, Any], recomputed: Recomputed | None
) -> tuple[int, list[Difference]]:
    if recomputed is None:  # a stored day whose raw objects measure nothing
        return 1, [Difference(day, kind, "stored", None)]
    found = []
    for path, (value, digits) in recomputed.items():
        held = lookup(stored, path)
        if held is MISSING or not same(held, value, digits):
            found.append(Difference(day, f"{kind}.{path}", _shown(held), value))
    return len(recomputed), found


def check(
    lake: Lake,
    metrics: MetricsStore,
    start: date | None = None,
    end: date | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Recompute every stored bikes, roadworks, traffic and weather metric of
    ``[start, end]`` from ``lake`` and compare it with ``metrics``' documents."""
    result = CheckResult()
    infos = metrics.index(start=start, end=end)
    others = {i.kind for i in infos if i.kind not in CHECKED}
    result.not_checked += sorted(others)
    chosen = [i for i in infos if i.kind in CHECKED]
    rank, whole = traffic.versions(lake)
    ranks = Ranks(lake, rank)
    if whole and any(i.kind == "traffic" for i in chosen):
        result.not_checked.append("traffic")  # an export read whole: import it again
        chosen = [i for i in chosen if i.kind != "traffic"]
    kinds = {i.kind for i in chosen}
    result.not_checked += [
        *(traffic.NOT_CHECKED if "traffic" in kinds else ()),
        *(weather.NOT_CHECKED if "weather" in kinds else ()),
        *(bikes.NOT_CHECKED if "bikes" in kinds else ()),
        *(roadworks.NOT_CHECKED if "roadworks" in kinds else ()),
    ]
    days: set[date] = set()
    for done, info in enumerate(chosen, 1):
        found = metrics.get(info.kind, info.day)
        stored = found.document.get("metrics") if found is not None else None
        if isinstance(stored, dict):
            try:
                recomputed = _recompute(lake, info.kind, info.day, ranks)
            except (RawGone, bikes.Unreadable, roadworks.Unreadable, weather.Unreadable):
                result.not_checked.append(f"{info.kind}:{info.day.isoformat()}")
            else:
                count, differences = _compare(info.kind, info.day, stored, recomputed)
                result.metrics_checked += count
                result.differences += differences
                days.add(info.day)
        if on_progress is not None:
            on_progress(done, len(chosen))
    result.days = len(days)
    return result


class Ranks:
    """What every traffic day reads once: the exports' order and the référentiel's arcs."""

    def __init__(self, lake: Lake, exports: dict[str, int]) -> None:
        self.lake = lake
        self.exports = exports
        self._arcs: dict[int, traffic.Arc] | None = None

    def arcs(self) -> dict[int, traffic.Arc]:
        """The newest référentiel's arcs, read on first use."""
        if self._arcs is None:
            self._arcs = traffic.referentiel(self.lake)
        return self._arcs


class RawGone(Exception):
    """A stored day whose raw objects are no longer in the lake (a document kept with its
    input missing): nothing to recompute it from, so it is named as not checked."""


def _recompute(lake: Lake, kind: str, day: date, rank: Ranks) -> Recomputed | None:
    """The day's recomputed metrics, None when its raw objects hold no measurement; raises
    :class:`RawGone` when there are none, the family's ``Unreadable`` for raw objects this
    check does not read."""
    if kind == "traffic":
        rows = traffic.day_rows(lake, day, rank.exports)
        if rows is None:
            raise RawGone(kind)
        return traffic.day_metrics(rows, rank.arcs())
    if kind == "roadworks":
        works = roadworks.newest(lake)
        if works is None:
            raise RawGone(kind)
        return roadworks.day_metrics(works, day)
    if kind == "bikes":
        files = bikes.day_files(lake, day)
        if files is None:
            raise RawGone(kind)
        return bikes.day_metrics(files)
    hours = weather.day_hours(lake, day)
    if hours is None:
        raise RawGone(kind)
    return weather.day_metrics(hours)
