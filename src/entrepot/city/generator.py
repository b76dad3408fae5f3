"""Write a synthetic raw layout into any store: hourly API snapshots and the batch exports.

Layout (see :mod:`entrepot.city.layout`)::

    raw/api/bikes/dt=YYYY-MM-DD/hour=HH/bikes_data.json       Vélib' station_status
    raw/api/bikes/dt=YYYY-MM-DD/hour=HH/bike_counters.json    bike counters variant
    raw/api/traffic/dt=YYYY-MM-DD/hour=HH/traffic_data.json   transport disruptions
    raw/api/weather/dt=YYYY-MM-DD/hour=HH/weather_data.json   Open-Meteo forecast
    raw/batch/comptages-routiers-permanents.csv               road counters (big)
    raw/batch/chantiers-perturbants.csv                       roadworks
    raw/batch/referentiel-geographique-...csv                 arcs référentiel
    raw/batch/velib-station-information.json                  Vélib' stations

``dt``/``hour`` are Paris local wall-clock values: a spring clock-change day has
23 hour partitions, and on the autumn one the repeated hour's second snapshot
is written beside the first with a ``_fold1`` suffix (``bikes_data_fold1.json``).
The counts CSV is streamed to a temporary file, one day of rows in memory at a
time (about 60 MB for 3,000 arcs), then stored; with ``big_csv_mb`` it is
extended with earlier days until it reaches that size.

A batch file is written under its legacy name only in a lake that has none yet; a
later ``generate`` (another window) adds its batch files as versions
(``raw/batch/<dataset>/<as-of>-<sha256>.<ext>``, as of the end of its window, as
``city import`` does), so the days of the earlier files are never rewritten.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from entrepot.city import layout
from entrepot.city.days import LocalHour, day_hours
from entrepot.city.synth import bikes, disruptions, roadworks, weather
from entrepot.city.synth.arcs import make_arcs, referentiel_lines
from entrepot.city.synth.counts import HeaderStyle, day_lines, header
from entrepot.storage.protocols import Head, Put

_WRITE_BUFFER = 1024 * 1024
_LINES_PER_WRITE = 2000


class GenerateStore(Put, Head, Protocol):
    """What the generator needs of a store: writes, and whether a batch file exists."""


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate; every count has the real data's order of magnitude by default."""

    start: date
    days: int = 1
    arcs: int = 3000
    stations: int = 1495
    counters: int = 60
    roadworks: int = 150
    big_csv_mb: float | None = None
    seed: int = 0
    counts_header: HeaderStyle = "labels"
    stray_quote: bool = False

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if min(self.stations, self.counters, self.roadworks) < 1:
            raise ValueError("stations, counters and roadworks must each be at least 1")
        if self.big_csv_mb is not None and self.big_csv_mb <= 0:
            raise ValueError(f"big_csv_mb must be positive, got {self.big_csv_mb}")


@dataclass(frozen=True)
class GenerateResult:
    """What was written."""

    objects: int
    bytes: int
    counts_rows: int
    counts_bytes: int
    counts_first_day: date
    counts_last_day: date


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _name(base: str, hour: LocalHour) -> str:
    return f"{base}_fold1.json" if hour.fold else f"{base}.json"


class _Writer:
    def __init__(
        self, store: GenerateStore, seed: int, on_progress: Callable[[int, int], None]
    ) -> None:
        self.store, self.on_progress = store, on_progress
        self.metadata = {"generator": "entrepot-city", "seed": str(seed)}
        self.objects = 0
        self.bytes = 0
        self.done = 0

    def step(self, total: int) -> None:
        """One more part written (a day of snapshots, a day of counts, the stored CSV), of
        ``total`` parts as far as known now."""
        self.done += 1
        self.on_progress(self.done, max(total, self.done))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.store.put(key, data, content_type=content_type, metadata=self.metadata)
        self.objects += 1
        self.bytes += len(data)

    def batch_key(self, name: str, as_of: datetime, sha256: str) -> str:
        """The legacy key of the batch file ``name`` in a lake without one; else a version
        of it as of ``as_of``: an earlier window's file is never replaced."""
        legacy = layout.batch_key(name)
        if not self.store.exists(legacy):
            return legacy
        return layout.version_key(name, as_of, sha256, name.rsplit(".", 1)[-1])

    def put_batch(self, name: str, as_of: datetime, data: bytes, content_type: str) -> None:
        key = self.batch_key(name, as_of, hashlib.sha256(data).hexdigest())
        self.put(key, data, content_type)

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        self.store.put_file(key, path, content_type=content_type, metadata=self.metadata)
        self.objects += 1
        self.bytes += path.stat().st_size


def generate(
    store: GenerateStore,
    options: GenerateOptions,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> GenerateResult:
    """Write the raw layout for ``options.days`` days from ``options.start`` into ``store``.

    ``on_progress(done, total)``: parts written, of how many: a day of API snapshots, a day
    of counts rows, storing the counts CSV; growing the CSV to ``big_csv_mb`` adds the
    earlier days it is expected to need, estimated from the bytes a day took so far."""
    out = _Writer(store, options.seed, on_progress or (lambda _done, _total: None))
    seed = options.seed
    window = [options.start + timedelta(days=i) for i in range(options.days)]
    stations = bikes.make_stations(options.stations, seed)
    truth = weather.make_truth(options.start, options.days, seed)
    events = disruptions.make_disruptions(options.start, options.days, seed)
    parts = 2 * len(window) + 1
    out.on_progress(0, parts)
    for day in window:
        for hour in day_hours(day):
            prefix = layout.hour_prefix("bikes", day, hour.hour)
            status = bikes.station_status(stations, hour, seed)
            out.put(prefix + _name("bikes_data", hour), _json(status), "application/json")
            counters = bikes.counter_snapshot(options.counters, hour, seed)
            out.put(prefix + _name("bike_counters", hour), _json(counters), "application/json")
            prefix = layout.hour_prefix("weather", day, hour.hour)
            forecast = weather.snapshot(truth, hour, seed)
            out.put(prefix + _name("weather_data", hour), _json(forecast), "application/json")
            prefix = layout.hour_prefix("traffic", day, hour.hour)
            active = disruptions.snapshot(events, hour)
            out.put(prefix + _name("traffic_data", hour), _json(active), "application/json")
        out.step(parts)
    end = day_hours(window[-1])[-1].end
    info = bikes.station_information(stations, int(end.timestamp()))
    out.put_batch(layout.STATIONS_JSON, end, _json(info), "application/json")
    arcs = make_arcs(options.arcs, seed)
    ref = "\n".join(referentiel_lines(arcs, seed)) + "\n"
    out.put_batch(layout.REFERENTIEL_CSV, end, ref.encode("utf-8"), "text/csv")
    works = roadworks.roadworks_lines(window[-1], options.roadworks, seed)
    data = ("\ufeff" + "\n".join(works) + "\n").encode("utf-8")
    out.put_batch(layout.ROADWORKS_CSV, end, data, "text/csv")
    with tempfile.TemporaryDirectory(prefix="entrepot-city-") as tmp:
        path = Path(tmp) / layout.COUNTS_CSV
        rows, first = _write_counts(path, arcs, window, options, lambda more: out.step(more + 1))
        size = path.stat().st_size
        sha256 = _file_sha256(path)
        key = out.batch_key(layout.COUNTS_CSV, end, sha256)
        out.put_file(key, path, "text/csv")
        # read by the runs one day at a time (ADR 0084); DuckDB: imported when used
        from entrepot.city.counts_partition import partition_counts

        partition_counts(out.store, path, sha256, key)
        out.step(out.done + 1)
    return GenerateResult(out.objects, out.bytes, rows, size, first, window[-1])


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_WRITE_BUFFER), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_counts(
    path: Path,
    arcs: Any,
    window: list[date],
    options: GenerateOptions,
    step: Callable[[int], None],
) -> tuple[int, date]:
    """Stream the counts CSV to ``path``; returns (rows, first day written). ``step(parts)``
    after each day: the parts expected, as far as known (the days of snapshots, the days of
    counts written and still to write: the window's, or as many as the size target needs
    at the bytes a day took so far)."""
    target = None if options.big_csv_mb is None else int(options.big_csv_mb * 1_000_000)
    quote_mark = '"' if options.stray_quote else ""
    sep_line = "\n"
    rows = 0
    first = window[0]
    with open(path, "wb", buffering=_WRITE_BUFFER) as fh:
        written = fh.write(f"\ufeff{quote_mark}{header(options.counts_header)}\n".encode())
        days = iter(window)
        history = 0
        written_days = 0
        while True:
            day = next(days, None)
            if day is None:
                if target is None or written >= target:
                    break
                history += 1
                day = window[0] - timedelta(days=history)
                first = day
            lines = day_lines(arcs, day, options.seed, options.counts_header)
            for i in range(0, len(lines), _LINES_PER_WRITE):
                block = lines[i : i + _LINES_PER_WRITE]
                written += fh.write(f"{sep_line.join(block)}{sep_line}".encode())
            rows += len(lines)
            del lines  # one day of rows in memory at a time
            written_days += 1
            left = len(window) - written_days
            if target is not None:  # the days the size target still needs, at this pace
                left = max(left, -(-max(target - written, 0) * written_days // written))
            step(len(window) + written_days + left)
    return rows, first
