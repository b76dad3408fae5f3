"""Places for the map, read from the lake's batch files: arcs, stations, active works."""

from __future__ import annotations

from datetime import date

from entrepot.city import layout
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.lake import Lake
from entrepot.city.places import places
from entrepot.city.polygons import OUTSIDE, locate
from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS, active_on
from entrepot.city.readers import read_csv
from entrepot.storage.memory import MemoryStore

DAY = date(2025, 11, 4)


def _lake() -> tuple[MemoryStore, Lake]:
    store = MemoryStore("places")
    generate(
        store, GenerateOptions(start=DAY, days=1, arcs=12, stations=8, counters=2, roadworks=25)
    )
    return store, Lake(store)


def test_every_arc_station_and_active_work_has_a_place() -> None:
    _, lake = _lake()
    found = places(lake, DAY)
    assert found.missing == ()
    assert len(found.arcs) == 12 and all(len(a.line) >= 2 for a in found.arcs)
    assert len(found.stations) == 8
    data, ref, _ = lake.read_batch(layout.ROADWORKS_CSV)
    frame = read_csv(data, ref.key, ROADWORKS_COLUMNS)
    assert len(found.works) == int(active_on(frame, DAY).sum()) > 0
    lon = [w.point[0] for w in found.works]
    lat = [w.point[1] for w in found.works]
    assert OUTSIDE not in set(locate(lat, lon))  # (lon, lat), not swapped


def test_the_works_follow_the_day() -> None:
    _, lake = _lake()
    assert places(lake, date(1999, 1, 1)).works == ()


def test_a_missing_file_names_its_layer_and_the_others_still_come() -> None:
    store, lake = _lake()
    store.delete(layout.batch_key(layout.STATIONS_JSON))
    found = places(lake, DAY)
    assert found.missing == ("stations",)
    assert found.stations == () and found.arcs


def test_a_new_version_of_a_file_is_read_again() -> None:
    store, lake = _lake()
    assert len(places(lake, DAY).stations) == 8
    doc = b'{"data": {"stations": [{"name": "Seule", "lat": 48.86, "lon": 2.35}]}}'
    store.put(layout.batch_key(layout.STATIONS_JSON), doc)
    assert [s.name for s in places(lake, DAY).stations] == ["Seule"]
