"""The synthetic generator: layout, determinism, the real exports' formats, streaming."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from entrepot.city import layout
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.synth.counts import HeaderStyle
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore


class Options(TypedDict, total=False):
    """Keyword arguments of :class:`GenerateOptions` besides ``start``, ``days`` and ``seed``."""

    arcs: int
    stations: int
    counters: int
    roadworks: int
    big_csv_mb: float | None
    counts_header: HeaderStyle
    stray_quote: bool


SMALL: Options = {"arcs": 60, "stations": 40, "counters": 6, "roadworks": 40}


def _small(start: date, days: int = 1, **more: Unpack[Options]) -> GenerateOptions:
    options: Options = {**SMALL, **more}
    return GenerateOptions(start=start, days=days, seed=11, **options)


@pytest.fixture(scope="module")
def autumn() -> MemoryStore:
    """The autumn clock-change day and the day before."""
    store = MemoryStore("autumn")
    generate(store, _small(date(2025, 10, 25), days=2))
    return store


def _counts_rows(store: MemoryStore) -> list[list[str]]:
    text = store.get(layout.batch_key(layout.COUNTS_CSV)).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_layout_has_one_partition_per_local_hour(autumn: MemoryStore) -> None:
    for source, names in {
        "bikes": ("bikes_data", "bike_counters"),
        "traffic": ("traffic_data",),
        "weather": ("weather_data",),
    }.items():
        keys = [i.key for i in autumn.list(layout.source_prefix(source))]
        saturday = [k for k in keys if "/dt=2025-10-25/" in k]
        sunday = [k for k in keys if "/dt=2025-10-26/" in k]
        assert len(saturday) == 24 * len(names)
        assert len(sunday) == 25 * len(names)  # the repeated hour has a _fold1 twin
        for name in names:
            assert layout.hour_prefix(source, date(2025, 10, 26), 2) + f"{name}_fold1.json" in keys
    for name in (layout.COUNTS_CSV, layout.ROADWORKS_CSV, layout.REFERENTIEL_CSV):
        assert autumn.exists(layout.batch_key(name))


def test_the_spring_day_has_23_partitions() -> None:
    store = MemoryStore()
    generate(store, _small(date(2025, 3, 30)))
    hours = {i.key.split("/")[4] for i in store.list(layout.source_prefix("weather"))}
    assert len(hours) == 23
    assert "hour=02" not in hours


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    stores = [MemoryStore(str(i)) for i in range(3)]
    for store, seed in zip(stores, (5, 5, 6), strict=True):
        generate(store, GenerateOptions(start=date(2025, 11, 4), seed=seed, **SMALL))
    digests = [{i.key: i.sha256 for i in s.list()} for s in stores]
    assert digests[0] == digests[1]
    counts = layout.batch_key(layout.COUNTS_CSV)
    assert digests[0][counts] != digests[2][counts]


def test_counts_csv_follows_the_export(autumn: MemoryStore) -> None:
    rows = _counts_rows(autumn)
    assert rows[0][:6] == [
        "Identifiant arc",
        "Libelle",
        "Date et heure de comptage",
        "Débit horaire",
        "Taux d'occupation",
        "Etat trafic",
    ]
    body = rows[1:]
    assert len(body) == 60 * (24 + 25)
    assert all(len(r) == 15 for r in body)
    stamps = [r[2] for r in body]
    assert "2025-10-26T00:00:00+02:00" in stamps  # end of 25 Oct 23:00-24:00, summer time
    assert "2025-10-26T02:00:00+02:00" in stamps
    assert "2025-10-26T02:00:00+01:00" in stamps
    assert "2025-10-27T00:00:00+01:00" in stamps
    assert stamps != sorted(stamps)  # exports are not time-ordered
    bands = [(0, 15, "Fluide"), (15, 30, "Pré-saturé"), (30, 50, "Saturé"), (50, 101, "Bloqué")]
    states: Counter[str] = Counter()
    for r in body:
        q, k, state = r[3], r[4], r[5]
        states[state] += 1
        if state == "Inconnu":
            assert q == ""
            assert k == ""
            continue
        assert next(label for lo, hi, label in bands if lo <= float(k) < hi) == state
        assert q == "" or q.endswith(".0")
    assert states["Fluide"] > states["Pré-saturé"] > states["Saturé"] > 0
    assert states["Inconnu"] > 0
    occupancy_only = sum(1 for r in body if r[3] == "" and r[4] != "")
    assert occupancy_only > 0
    assert {r[10] for r in body} <= {"Ouvert", "Invalide", "Barré", "Inconnu"}
    assert any(", " in r[13] for r in body)
    assert all(json.loads(r[14])["type"] == "LineString" for r in body[:50])


def test_counts_csv_with_raw_field_names_and_a_stray_quote() -> None:
    store = MemoryStore()
    generate(store, _small(date(2025, 11, 4), counts_header="raw", stray_quote=True))
    text = store.get(layout.batch_key(layout.COUNTS_CSV)).decode("utf-8")
    first, second = text.splitlines()[:2]
    assert first == '\ufeff"iu_ac,libelle,iu_nd_amont,libelle_nd_amont,iu_nd_aval,' + (
        "libelle_nd_aval,t_1h,q,k,etat_trafic,etat_barre"
    )
    fields = second.split(",")
    assert len(fields) == 11
    assert fields[6].startswith("2025-11-0")
    assert fields[9] in "01234"


def test_referentiel_matches_the_counts_arcs(autumn: MemoryStore) -> None:
    text = autumn.get(layout.batch_key(layout.REFERENTIEL_CSV)).decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0] == "Identifiant arc"
    assert header[8] == "geo_point_2d"
    ref_arcs = [int(r[0]) for r in body]
    counts_arcs = {int(r[0]) for r in _counts_rows(autumn)[1:]}
    assert set(ref_arcs) == counts_arcs
    assert len(ref_arcs) > len(set(ref_arcs))  # some arcs have two geometries
    assert all(", " not in r[8] and "," in r[8] for r in body)


def test_roadworks_csv_has_multiline_quoted_text(autumn: MemoryStore) -> None:
    text = autumn.get(layout.batch_key(layout.ROADWORKS_CSV)).decode("utf-8")
    assert text.startswith("\ufeffIdentifiant;")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(rows) == 41
    assert all(len(r) == 19 for r in rows)
    assert len(text.splitlines()) > 41  # fields span lines
    assert any("\n" in r[7] and ";" in r[7] for r in rows[1:])
    impacts = Counter(r[12] for r in rows[1:] if r[10])
    assert impacts.most_common(1)[0][0] == "RESTREINTE"
    assert {r[2] for r in rows[1:] if r[2]} <= {f"750{n:02d}" for n in range(1, 21)}


def test_velib_snapshot_keeps_the_real_envelope(autumn: MemoryStore) -> None:
    doc = json.loads(
        autumn.get(layout.hour_prefix("bikes", date(2025, 10, 25), 8) + "bikes_data.json")
    )
    assert set(doc) == {"lastUpdatedOther", "ttl", "data"}
    station = doc["data"]["stations"][0]
    assert station["num_bikes_available"] == station["numBikesAvailable"]
    assert isinstance(station["stationCode"], str)
    assert isinstance(station["station_id"], int)
    types = station["num_bikes_available_types"]
    assert list(types[0]) == ["mechanical"]
    assert list(types[1]) == ["ebike"]
    counters = json.loads(
        autumn.get(layout.hour_prefix("bikes", date(2025, 10, 25), 8) + "bike_counters.json")
    )
    assert set(counters["results"][0]) == {
        "id_compteur",
        "nom_compteur",
        "sum_counts",
        "date",
        "coordinates",
    }


def test_weather_snapshot_has_168_hours_from_midnight(autumn: MemoryStore) -> None:
    doc = json.loads(
        autumn.get(layout.hour_prefix("weather", date(2025, 10, 25), 14) + "weather_data.json")
    )
    hourly = doc["hourly"]
    assert len(hourly["time"]) == 168
    assert hourly["time"][0] == "2025-10-25T00:00"
    assert all(len(v) == 168 for v in hourly.values())


def test_disruptions_snapshot_lists_active_disruptions(autumn: MemoryStore) -> None:
    doc = json.loads(
        autumn.get(layout.hour_prefix("traffic", date(2025, 10, 25), 9) + "traffic_data.json")
    )
    assert doc["disruptions"], "Poisson(3)/h with hour-long durations leaves some active"
    period = doc["disruptions"][0]["application_periods"][0]
    assert period["begin"] <= doc["context"]["current_datetime"] < period["end"]


def _peak_memory(store: LocalStore, megabytes: float) -> tuple[int, int]:
    options = GenerateOptions(
        start=date(2025, 11, 4), arcs=300, stations=5, counters=2, roadworks=5, big_csv_mb=megabytes
    )
    tracemalloc.start()
    try:
        result = generate(store, options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.counts_first_day < date(2025, 11, 4)
    assert result.counts_last_day == date(2025, 11, 4)
    size = store.head(layout.batch_key(layout.COUNTS_CSV)).size
    assert size >= megabytes * 1_000_000
    assert result.counts_bytes == size
    return peak, size


@pytest.mark.slow
def test_big_csv_grows_with_earlier_days_in_bounded_memory(tmp_path: Path) -> None:
    small_peak, _ = _peak_memory(LocalStore(tmp_path / "a", fsync=False), 3)
    big_peak, big_size = _peak_memory(LocalStore(tmp_path / "b", fsync=False), 15)
    # Memory depends on one day of rows, not on the file: 5x the file, about the same peak.
    assert big_peak < small_peak * 1.5, (small_peak, big_peak)
    assert big_peak < big_size


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="days"):
        GenerateOptions(start=date(2025, 1, 1), days=0)
    too_many: Options = {**SMALL, "arcs": 9000}
    with pytest.raises(ValueError, match="arcs"):
        generate(MemoryStore(), GenerateOptions(start=date(2025, 1, 1), **too_many))


def test_progress_is_reported_as_parts_done_of_a_total() -> None:
    reports: list[tuple[int, int]] = []
    generate(
        MemoryStore("progress"),
        _small(date(2025, 11, 4), days=3),
        on_progress=lambda *r: reports.append(r),
    )
    # 3 days of snapshots, 3 days of counts, the stored CSV: 7 parts, each reported once
    assert reports == [(0, 7), *((done, 7) for done in range(1, 8))]


def test_a_size_target_adds_the_earlier_days_it_needs_and_ends_done() -> None:
    reports: list[tuple[int, int]] = []
    options = _small(date(2025, 11, 4), big_csv_mb=2)  # about 4 days of counts
    result = generate(MemoryStore("big"), options, on_progress=lambda *r: reports.append(r))
    counts_days = (result.counts_last_day - result.counts_first_day).days + 1
    assert counts_days > 1
    assert reports[-1] == (1 + counts_days + 1, 1 + counts_days + 1)
    assert [done for done, _ in reports] == list(range(len(reports)))
    assert all(done <= total for done, total in reports)
