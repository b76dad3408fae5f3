"""Process one local day: read the lake, run each processor, return metrics documents.

The same code runs whatever the store behind the lake (a local folder, S3 through
the cache, memory in tests), so every environment computes the same metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from entrepot.city import layout
from entrepot.city.bigcsv import CountsAggregate, aggregate_counts_files
from entrepot.city.counts_checks import day_notes, leave_out_cut_row
from entrepot.city.counts_parts import lines_needed, read_partitioned
from entrepot.city.errors import CityError, MissingInput
from entrepot.city.faults import arc_notes
from entrepot.city.kinds import METRIC_TYPES, check_types
from entrepot.city.lake import InputRef, Lake
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.city.messages import WARNING_SKIPPED_ROWS, Note
from entrepot.city.processors.bikes import bikes_day, positions
from entrepot.city.processors.common import document
from entrepot.city.processors.disruptions import disruption_metrics
from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS, roadworks_metrics
from entrepot.city.processors.traffic import traffic_metrics
from entrepot.city.processors.weather import weather_day
from entrepot.city.readers import read_csv, read_json
from entrepot.city.referentiel import empty_referentiel, load_referentiel
from entrepot.city.snapshots import snapshot_notes
from entrepot.city.stations import CAPACITY_TOLERANCE, capacities, versions_for

__all__ = ["METRIC_TYPES", "DayProcessor", "check_types"]


class DayProcessor:
    """Computes the metrics of days from one lake (référentiel read once); ``memory_limit``
    and ``threads`` bound DuckDB's scan of the counts export."""

    def __init__(
        self,
        lake: Lake,
        *,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        threads: int = DEFAULT_SCAN_THREADS,
    ) -> None:
        self.lake = lake
        self.memory_limit = memory_limit
        self.threads = threads
        self._referentiel: Any = None

    def _ref(self) -> tuple[Any, list[InputRef], tuple[str, ...]]:
        # the référentiel is optional: without it arcs are not placed (a warning says so)
        if self._referentiel is None:
            try:
                data, ref, warnings = self.lake.read_batch(layout.REFERENTIEL_CSV)
            except MissingInput:
                note = (
                    "no référentiel: metrics computed, arcs not placed in arrondissements "
                    "(import referentiel-comptages-routiers.csv with `entrepot city import`)"
                )
                self._referentiel = (empty_referentiel(), [], (note,))
            else:
                self._referentiel = (load_referentiel(data, ref.key), [ref], warnings)
        return self._referentiel  # type: ignore[no-any-return]

    def bikes(self, day: date) -> dict[str, Any]:
        """Bike metrics: capacities from the snapshot's own column, else from the
        ``station_information`` of the day (:mod:`entrepot.city.stations`)."""
        read = self.lake.read_day("bikes", day)
        inputs, warnings = list(read.inputs), list(read.warnings)
        capacity, places, label = None, None, None
        nearest: str | None = "none imported"
        try:
            versions = versions_for(self.lake.batch_inputs(layout.STATIONS_JSON), day)
        except MissingInput:
            versions = None
        if versions is not None:
            data, ref, more = self.lake.read_batch(layout.STATIONS_JSON, versions.newest)
            information = read_json(data, ref.key)
            places = positions(information)
            warnings += more
            if versions.dated is not None:
                if versions.dated.key != ref.key:
                    data, ref, more = self.lake.read_batch(layout.STATIONS_JSON, versions.dated)
                    information = read_json(data, ref.key)
                    warnings += more
                capacity, label = capacities(information, ref.key), versions.label()
            elif versions.nearest is not None:
                nearest = f"the nearest is of {versions.nearest.date().isoformat()}"
            inputs += versions.refs
        metrics, notes = bikes_day(read, capacity, places, label)
        warnings += notes
        stations = metrics["stations"]
        if stations is not None and stations["capacity_source"] is None:
            warnings.append(
                f"station capacities not checked on {day}: the snapshots have no capacity "
                f"column and no station_information was taken within "
                f"{CAPACITY_TOLERANCE.days} day of it ({nearest}); import one of that date "
                "to check them"
            )
        return document("bikes", day, metrics, inputs, warnings)

    def disruptions(self, day: date) -> dict[str, Any]:
        """Transport disruption metrics."""
        read = self.lake.read_day("traffic", day)
        return document("disruptions", day, disruption_metrics(read), read.inputs, read.warnings)

    def weather(self, day: date) -> dict[str, Any]:
        """Weather metrics."""
        read = self.lake.read_day("weather", day)
        metrics, notes = weather_day(read)
        return document("weather", day, metrics, read.inputs, [*read.warnings, *notes])

    def traffic(self, day: date) -> dict[str, Any]:
        """Road-traffic metrics from the counts export, joined with the référentiel."""
        result = self.traffic_days([day])[day]
        if isinstance(result, CityError):
            raise result
        return result

    def traffic_days(self, days: Sequence[date]) -> dict[date, dict[str, Any] | CityError]:
        """Traffic documents of several days from one scan of the counts export.

        A day the export cannot give (no rows that day) maps to its error; an unreadable
        export or référentiel raises, as it concerns every day.
        """
        if not days:
            return {}
        ref_frame, refs, ref_warnings = self._ref()
        # the day before too: an arc counted then and silent on a day is named
        start, end = min(days) - timedelta(days=1), max(days)
        with read_partitioned(
            self.lake, start, end, memory_limit=self.memory_limit, threads=self.threads
        ) as parted:
            if parted is not None and not lines_needed(parted.aggregate, days):
                agg = parted.aggregate
                # a file's path is only read for the line of a failing day (not here)
                files = [(Path(ref.key), ref.key) for ref in parted.inputs]
                notes = [*ref_warnings]
                result = self._documents(
                    agg, ref_frame, days, files, [*parted.inputs, *refs], notes
                )
                return _skipped_note(agg, result)
        with self.lake.batch_paths(layout.COUNTS_CSV) as (copies, warnings):
            files = [(path, ref.key) for path, ref in copies]
            cut = [note for path, key in files for note in leave_out_cut_row(path, key)]
            agg = aggregate_counts_files(
                files, start=start, end=end, memory_limit=self.memory_limit, threads=self.threads
            )
            notes = [*warnings, *ref_warnings, *cut, *agg.notes]
            inputs = [ref for _, ref in copies] + refs
            result = self._documents(agg, ref_frame, days, files, inputs, notes)
        return _skipped_note(agg, result)

    @staticmethod
    def _documents(
        agg: CountsAggregate,
        ref_frame: Any,
        days: Sequence[date],
        files: list[tuple[Path, str]],
        inputs: list[InputRef],
        notes: list[str],
    ) -> dict[date, dict[str, Any] | CityError]:
        result: dict[date, dict[str, Any] | CityError] = {}
        for day in days:
            try:
                checks = [*day_notes(agg, day, files), *arc_notes(agg, day)]
                metrics = traffic_metrics(agg, ref_frame, day)
            except CityError as exc:
                result[day] = exc
            else:
                result[day] = document("traffic", day, metrics, inputs, [*notes, *checks])
        return result

    def roadworks(self, day: date) -> dict[str, Any]:
        """Roadworks metrics, joined with the référentiel."""
        ref_frame, refs, ref_warnings = self._ref()
        data, works, warnings = self.lake.read_batch(layout.ROADWORKS_CSV)
        notes = [*warnings, *ref_warnings, *snapshot_notes(works.key, day)]
        frame = read_csv(data, works.key, ROADWORKS_COLUMNS)
        metrics = roadworks_metrics(frame, ref_frame, day)
        return document("roadworks", day, metrics, [works, *refs], notes)

    def run(self, day: date, types: Iterable[str] = METRIC_TYPES) -> dict[str, dict[str, Any]]:
        """The documents of ``types`` for ``day``."""
        return {kind: getattr(self, kind)(day) for kind in check_types(types)}


def _skipped_note(
    agg: CountsAggregate, result: dict[date, dict[str, Any] | CityError]
) -> dict[date, dict[str, Any] | CityError]:
    """Every document says how many rows of the exports had no valid arc or time."""
    if agg.skipped_rows:
        note = Note(
            f"{agg.skipped_rows} counts row(s) without a valid arc or time skipped",
            WARNING_SKIPPED_ROWS,
            count=agg.skipped_rows,
        )
        for doc in result.values():
            if isinstance(doc, dict):
                doc["warnings"].append(str(note))
                doc["warning_messages"].append(note.message.to_json())
    return result
