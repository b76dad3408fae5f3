"""Every real export, written every way a user may hold it, gives the numbers of the original.

For each real file of ``tests/fixtures/real-paris`` (a small slice of it) the variants of
``tests/support/export_variants`` are imported as ``entrepot city import`` imports them
(``import_paths``: files, gzip and ZIP archives) into a memory lake, and every daily metric
the product computes from the variant must equal the second computation
(``tests/support/city_reference``, which shares no code with the product) read from the
variant's twin: the original slice, for a file a spreadsheet cut the rows it kept, for times
a spreadsheet rewrote the variant itself (the second computation reads such times on its
own).
A variant the product cannot read must be refused by name with what to do, and leave
nothing in the lake (:func:`test_what_cannot_be_read_is_refused_by_name_and_leaves_nothing`).
"""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from entrepot.city.imports.files import import_paths
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore
from tests.support.city_reference import bikes, roadworks, traffic, weather
from tests.support.city_reference.compare import differences
from tests.support.export_variants import (
    COUNTS_ONLY,
    CSV_VARIANTS,
    Table,
    Written,
    json_variants,
)
from tests.support.real_paris import AS_OF, CHAMPS, CHANTIERS, CONVENTION, REFERENTIEL, real

VELIB = "velib-disponibilite-en-temps-reel.csv"
COUNTERS = "comptage-velo-donnees-compteurs.csv"
SYNOP = "meteo-france-synop-paris.csv"
STATUS, INFORMATION = "station_status.json", "station_information.json"
OPEN_METEO = "open-meteo-paris-2024-08-17.json"

#: The portal's two header sets: labels -> API field names.
COUNTS_NAMES = {
    "Identifiant arc": "iu_ac", "Libelle": "libelle", "Date et heure de comptage": "t_1h",
    "Débit horaire": "q", "Taux d'occupation": "k", "Etat trafic": "etat_trafic",
    "Identifiant noeud amont": "iu_nd_amont", "Libelle noeud amont": "libelle_nd_amont",
    "Identifiant noeud aval": "iu_nd_aval", "Libelle noeud aval": "libelle_nd_aval",
    "Etat arc": "etat_barre", "Date debut dispo data": "date_debut",
    "Date fin dispo data": "date_fin",
}  # fmt: skip
ROADWORKS_NAMES = {
    "Identifiant": "identifiant", "Identifiant CTV": "identifiant_ctv",
    "Code postal de l'arrondissement": "cp_arrondissement", "Numéro de STV": "numero_stv",
    "Typologie": "typologie", "Maitre d'ouvrage": "maitre_ouvrage", "Objet": "objet",
    "Description": "description", "Voie(s)": "voie",
    "Précisions de localisation": "precision_localisation", "Date de début": "date_debut",
    "Date de fin": "date_fin", "Impact sur la circulation": "impact_circulation",
    "Détail de l'impact sur la circulation": "impact_circulation_detail",
    "Niveau de perturbation": "niveau_perturbation", "Statut": "statut",
    "URL LettreInfoChantier": "url_lic",
}  # fmt: skip
VELIB_NAMES = {
    "Identifiant station": "stationcode", "Nom station": "name",
    "Station en fonctionnement": "is_installed", "Capacité de la station": "capacity",
    "Nombre bornettes libres": "numdocksavailable",
    "Nombre total vélos disponibles": "numbikesavailable",
    "Vélos mécaniques disponibles": "mechanical", "Vélos électriques disponibles": "ebike",
    "Borne de paiement disponible": "is_renting", "Retour vélib possible": "is_returning",
    "Actualisation de la donnée": "duedate", "Coordonnées géographiques": "coordonnees_geo",
    "Nom communes équipées": "nom_arrondissement_communes",
    "Code INSEE communes équipées": "code_insee_commune",
}  # fmt: skip
COUNTER_NAMES = {
    "Identifiant du compteur": "id_compteur", "Nom du compteur": "nom_compteur",
    "Identifiant du site de comptage": "id", "Nom du site de comptage": "name",
    "Comptage horaire": "sum_counts", "Date et heure de comptage": "date",
    "Date d'installation du site de comptage": "installation_date",
    "Lien vers photo du site de comptage": "url_photos_n1",
    "Coordonnées géographiques": "coordinates",
    "Identifiant technique compteur": "counter", "ID Photos": "photos",
}  # fmt: skip
SYNOP_DECIMALS = ("ff", "t", "td", "raf10", "rr1", "rr3", "rr6", "rr12", "rr24")

CONVENTION_DAYS = ("2022-03-27", "2022-03-28", "2022-10-30", "2022-11-08")
CHAMPS_DAYS = ("2023-03-26", "2023-10-29", "2023-12-01")
ARCS = {"5671", "191", "4264"}


def _starts(column: int, prefixes: tuple[str, ...]) -> Callable[[tuple[str, ...]], bool]:
    return lambda row: len(row) > column and row[column].startswith(prefixes)


@functools.cache
def table(name: str) -> Table:
    """The slice of a real export each variant is written from."""
    data = real(name).read_bytes()
    if name == CONVENTION:
        sliced = Table.read(data, ";", _starts(2, CONVENTION_DAYS))
        return _named(sliced, COUNTS_NAMES, ("Débit horaire", "Taux d'occupation"))
    if name == CHAMPS:
        sliced = Table.read(data, ",", _starts(6, CHAMPS_DAYS))
        labels = {v: k for k, v in COUNTS_NAMES.items()}
        return _named(sliced, labels, ("q", "k"))
    if name == REFERENTIEL:
        first = Table.read(data, ";", lambda row: True)
        rows = [r for n, r in enumerate(first.rows) if n < 40 or r[0] in ARCS]
        return _named(first.with_rows(rows), COUNTS_NAMES, ())
    if name == CHANTIERS:
        whole = Table.read(data, ";", lambda row: True)
        return _named(whole.with_rows(whole.rows[::6]), ROADWORKS_NAMES, ())
    if name == VELIB:
        whole = Table.read(data, ";", lambda row: True)
        return _named(whole.with_rows(whole.rows[:60]), VELIB_NAMES, ())
    if name == COUNTERS:
        return _named(Table.read(data, ";", lambda row: True), COUNTER_NAMES, ("Comptage horaire",))
    assert name == SYNOP
    sliced = Table.read(data, ",", _starts(1, ("2021-03-27", "2021-03-28", "2021-03-29")))
    return _named(sliced, {}, SYNOP_DECIMALS)


def _named(sliced: Table, renames: dict[str, str], decimals: tuple[str, ...]) -> Table:
    return Table(sliced.header, sliced.rows, sliced.sep, sliced.bom, sliced.crlf, decimals, renames)


# -- what the product computes, and what the second computation says it should --------------


Metrics = dict[date, Any]


def _traffic(store: MemoryStore, days: list[date]) -> Metrics:
    docs = DayProcessor(Lake(store)).traffic_days(days)
    return {d: doc["metrics"] if isinstance(doc := docs[d], dict) else None for d in days}


def _expected_traffic(counts: Path, referentiel: Path) -> Metrics:
    rows = traffic.hours([counts])
    places = traffic.places(traffic.referentiel(referentiel))
    return {d: traffic.day_metrics(r, places) for d, r in rows.groupby("day")}


def _roadworks(store: MemoryStore, days: list[date]) -> Metrics:
    processor = DayProcessor(Lake(store))
    return {d: processor.roadworks(d)["metrics"] for d in days}


ROADWORK_DAYS = [date(2023, 1, 10), date(2022, 12, 20), date(2023, 1, 17)]


def _expected_roadworks(chantiers: Path, referentiel: Path) -> Metrics:
    works = roadworks.works(chantiers, traffic.referentiel(referentiel))
    return {d: roadworks.day_metrics(works, d) for d in ROADWORK_DAYS}


def _stations(store: MemoryStore, days: list[date]) -> Metrics:
    processor = DayProcessor(Lake(store))
    return {d: processor.bikes(d)["metrics"]["stations"] for d in days}


def _counters(store: MemoryStore, days: list[date]) -> Metrics:
    processor = DayProcessor(Lake(store))
    return {d: processor.bikes(d)["metrics"]["counters"] for d in days}


def _weather(store: MemoryStore, days: list[date]) -> Metrics:
    processor = DayProcessor(Lake(store))
    return {d: weather.comparable(processor.weather(d)["metrics"]) for d in days}


def _expected_weather(wide: pd.DataFrame) -> Metrics:
    local = wide.index.tz_convert("Europe/Paris")
    return {d: weather.day_metrics(wide, d) for d in sorted(set(local.date))}


def _days(metrics: Metrics, count: int) -> Metrics:
    """The ``count`` days with the most arcs and hours measured (then the earliest)."""

    def size(day: date) -> tuple[int, int]:
        found = metrics[day] or {}
        return found.get("arcs", 0), len(found.get("hourly", []))

    kept = sorted(metrics, key=lambda d: (*(-n for n in size(d)), d))
    return {d: metrics[d] for d in sorted(kept[:count])}


@dataclass(frozen=True)
class Source:
    """A real export, what is imported with it, and its metrics on both sides."""

    name: str
    #: Real files imported unchanged before the variant, each as its slice.
    companions: tuple[str, ...]
    product: Callable[[MemoryStore, list[date]], Metrics]
    #: (the variant's twin, the companions' paths) -> metrics per day.
    expected: Callable[[Path, dict[str, Path]], Metrics]
    variants: tuple[str, ...]


EVERY = tuple(v for v in CSV_VARIANTS if v not in COUNTS_ONLY)
NO_ACCENT = tuple(v for v in EVERY if v not in ("cp1252", "latin-1"))
SOURCES = {
    s.name: s
    for s in (
        Source(
            CONVENTION, (REFERENTIEL,), _traffic,
            lambda twin, c: _expected_traffic(twin, c[REFERENTIEL]), EVERY + COUNTS_ONLY,
        ),
        Source(
            CHAMPS, (REFERENTIEL,), _traffic,
            lambda twin, c: _expected_traffic(twin, c[REFERENTIEL]), NO_ACCENT + COUNTS_ONLY,
        ),
        Source(
            REFERENTIEL, (CONVENTION,), _traffic,
            # the référentiel places the arcs: two whole days show it (kept fast)
            lambda twin, c: _days(_expected_traffic(c[CONVENTION], twin), 2),
            tuple(v for v in NO_ACCENT if v != "decimal-comma"),
        ),
        Source(
            CHANTIERS, (REFERENTIEL,), _roadworks,
            lambda twin, c: _expected_roadworks(twin, c[REFERENTIEL]),
            tuple(v for v in EVERY if v != "decimal-comma"),
        ),
        Source(
            VELIB, (), _stations,
            lambda twin, c: {
                date(2023, 12, 10): bikes.station_metrics(
                    [bikes.portal_snapshot(twin)], "snapshot column"
                )
            },
            tuple(v for v in EVERY if v != "decimal-comma"),
        ),
        Source(
            COUNTERS, (), _counters,
            lambda twin, c: {
                date(2021, 9, 1): bikes.counter_metrics(bikes.counter_rows(twin), date(2021, 9, 1))
            },
            EVERY,
        ),
        Source(
            SYNOP, (), _weather,
            lambda twin, c: _expected_weather(weather.synop_hours(twin)),
            tuple(v for v in NO_ACCENT if v != "header-names"),
        ),
    )
}  # fmt: skip


def _check(store: MemoryStore, written: Written, source: Source, tmp_path: Path) -> None:
    expected = _expected(source, written.twin, tmp_path)
    got = source.product(store, sorted(expected))
    wrong = {d: differences(got[d], e)[:4] for d, e in expected.items() if got[d] != e}
    wrong = {d: found for d, found in wrong.items() if found or expected[d] is None}
    assert len(expected) >= 1 and wrong == {}


_EXPECTED: dict[tuple[str, bytes], Metrics] = {}


def _expected(source: Source, twin: bytes, tmp_path: Path) -> Metrics:
    """The second computation's metrics of ``twin`` (computed once per twin: most
    variants of a source hold the same rows)."""
    key = (source.name, twin)
    if key not in _EXPECTED:
        path = tmp_path / "twin" / source.name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(twin)
        companions = {c: _slice_file(c, tmp_path) for c in source.companions}
        _EXPECTED[key] = source.expected(path, companions)
    return _EXPECTED[key]


def _slice_file(name: str, tmp_path: Path) -> Path:
    path = tmp_path / "slices" / name
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_bytes(_slice_bytes(name))
    return path


def _slice_bytes(name: str) -> bytes:
    if name.endswith(".json"):
        return json.dumps(_document(name), ensure_ascii=False).encode("utf-8")
    return table(name).write()


def _import(tmp_path: Path, source: Source, written: Written) -> tuple[MemoryStore, Any]:
    store = MemoryStore()
    for companion in source.companions:
        done = import_paths(store, [_slice_file(companion, tmp_path)], as_of=AS_OF)
        assert not done.failed, done.failed
    path = tmp_path / "downloads" / written.name
    path.parent.mkdir()
    path.write_bytes(written.data)
    return store, import_paths(store, [path], as_of=AS_OF)


CSV_CASES = [(name, v) for name, s in SOURCES.items() for v in s.variants]


@pytest.mark.parametrize(("name", "variant"), CSV_CASES, ids=[f"{n}-{v}" for n, v in CSV_CASES])
def test_a_csv_variant_gives_the_numbers_of_what_it_holds(
    name: str, variant: str, tmp_path: Path
) -> None:
    source = SOURCES[name]
    written = CSV_VARIANTS[variant](table(name), name)
    store, summary = _import(tmp_path, source, written)
    assert not summary.failed, summary.failed
    assert len(summary.imported) == 1
    _check(store, written, source, tmp_path)
    if variant == "cut":  # the cut is seen: some day's numbers are not the original's
        assert _expected(source, written.twin, tmp_path) != _expected(
            source, _slice_bytes(name), tmp_path
        )


# -- JSON feeds ---------------------------------------------------------------------------


@functools.cache
def _document(name: str) -> dict[str, Any]:
    """A JSON export; of a GBFS feed, its first 150 stations, in its envelope."""
    doc = json.loads(real(name).read_text(encoding="utf-8"))
    if name in (STATUS, INFORMATION):
        doc["data"]["stations"] = doc["data"]["stations"][:150]
    return dict(doc)


GBFS_DAY = date(2025, 10, 18)


def _expected_stations(status: Path, information: Path) -> Metrics:
    snapshot = bikes.gbfs_snapshot(status, information)
    return {GBFS_DAY: bikes.station_metrics([snapshot], "station_information of 2025-10-18")}


JSON_SOURCES = {
    s.name: s
    for s in (
        Source(STATUS, (INFORMATION,), _stations,
               lambda twin, c: _expected_stations(twin, c[INFORMATION]), ()),
        Source(INFORMATION, (STATUS,), _stations,
               lambda twin, c: _expected_stations(c[STATUS], twin), ()),
        Source(OPEN_METEO, (), _weather,
               lambda twin, c: _expected_weather(weather.open_meteo_hours(twin)), ()),
    )
}  # fmt: skip
JSON_CASES = [(name, v) for name in JSON_SOURCES for v in json_variants({}, name)]


@pytest.mark.parametrize(("name", "variant"), JSON_CASES, ids=[f"{n}-{v}" for n, v in JSON_CASES])
def test_a_json_variant_gives_the_numbers_of_the_original(
    name: str, variant: str, tmp_path: Path
) -> None:
    source = JSON_SOURCES[name]
    written = json_variants(_document(name), name)[variant]
    store, summary = _import(tmp_path, source, written)
    assert not summary.failed, summary.failed
    assert len(summary.imported) == 1
    _check(store, written, source, tmp_path)


# -- what cannot be read: refused by name, with what to do, and nothing stored ------------


def _workbook(name: str) -> Written:
    # the export opened in a spreadsheet and saved as a workbook (an OOXML ZIP)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return Written(out.getvalue(), name.replace(".csv", ".xlsx"), b"")


def _spreadsheet_times(
    order: tuple[int, int, int], days: tuple[str, ...] = ()
) -> Callable[[str], Written]:
    # the times rewritten by a spreadsheet (12/02/2021 21:00 month first with order
    # (2, 3, 1)) and saved back as CSV; of the rows of ``days`` only, when given
    def made(name: str) -> Written:
        whole = table(name)
        at = whole.column("t_1h" if "t_1h" in whole.header else "Date et heure de comptage")
        kept = [r for r in whole.rows if not days or r[at].startswith(days)]
        data = whole.with_rows(kept).write()
        iso = rb"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):\d\d(?:[+-]\d\d:\d\d)?"
        local = re.sub(iso, lambda m: b"%b/%b/%b %b:%b" % (*m.group(*order), *m.group(4, 5)), data)
        return Written(local, name, b"")

    return made


def _without_header(name: str) -> Written:
    return Written(table(name).write().split(b"\n", 1)[1], name, b"")


def _header_only(name: str) -> Written:
    return Written(table(name).write().split(b"\n", 1)[0] + b"\n", name, b"")


def _utf_16_cut(name: str) -> Written:
    # UTF-16 LE without a BOM, its last character cut in half (refused before: "byte 0x..")
    data = table(name).write().decode("utf-8").removeprefix("\ufeff").encode("utf-16-le")
    return Written(data[:-1], name, b"")


def _json_cut(name: str) -> Written:
    data = _slice_bytes(name)
    return Written(data[: len(data) // 2], name, b"")


DOWNLOADED = "import the export as downloaded, or save its times as 2023-12-31 23:00:00"
REFUSED: dict[str, tuple[Callable[[str], Written], str, str, str]] = {
    # variant: (how it is made, of which export, what the error says (a pattern), the hint)
    "workbook": (_workbook, CONVENTION, "spreadsheet workbook", "save each sheet as CSV UTF-8"),
    "spreadsheet-times-month-first": (_spreadsheet_times((2, 3, 1)), CONVENTION,
                                      "are month first", DOWNLOADED),
    # 01/12/2023 only: day or month first? A ","-separated file with the API's names
    "spreadsheet-times-ambiguous": (_spreadsheet_times((3, 2, 1), ("2023-12-01",)), CHAMPS,
                                    "may be day first or month first", DOWNLOADED),
    "no-header": (_without_header, CONVENTION, "has no header line", "import the export as"),
    "header-only": (_header_only, CHAMPS, r"no counts row \(its header alone\)", "counts export"),
    "utf-16-cut": (_utf_16_cut, CONVENTION, "looks like UTF-16 LE text without a BOM",
                   "re-save the file as UTF-8"),
    "json-cut": (_json_cut, STATUS, "is not valid JSON", "re-export the file"),
}  # fmt: skip


@pytest.mark.parametrize("variant", sorted(REFUSED))
def test_what_cannot_be_read_is_refused_by_name_and_leaves_nothing(
    variant: str, tmp_path: Path
) -> None:
    make, name, error, hint = REFUSED[variant]
    written = make(name)
    path = tmp_path / "downloads" / written.name
    path.parent.mkdir()
    path.write_bytes(written.data)
    store = MemoryStore()
    summary = import_paths(store, [path], as_of=AS_OF)
    assert summary.imported == ()
    [failed] = summary.failed
    assert failed.name == written.name and written.name in failed.error
    assert re.search(error, failed.error) and hint in (failed.hint or ""), failed
    assert list(store.list("")) == []
