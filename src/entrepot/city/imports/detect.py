"""Recognise an export by its content (never by its name): header columns or JSON keys.

Kinds (see ``docs/city.md``): ``counts`` (label headers or raw ``iu_ac,…,t_1h,q,k``),
``referentiel``, ``roadworks`` (chantiers perturbants), ``velib-csv`` / ``velib-geojson``
(the portal's Vélib' availability, any layout since 2019), ``gbfs-status`` /
``gbfs-information`` (Vélib' GBFS feeds), ``bike-counters`` (Comptage vélo), ``synop``
(Météo-France), ``weather-daily`` (a daily weather table, by its columns),
``open-meteo`` and ``openweathermap``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from entrepot.city import refused
from entrepot.city.errors import RawFormatError
from entrepot.city.imports.daily_weather import daily_columns, daily_roles
from entrepot.city.imports.velib import SIGNATURES as VELIB_SIGNATURES
from entrepot.city.imports.velib import is_velib_properties

#: CSV kinds: the columns that must all be present, in order of precedence.
CSV_SIGNATURES: tuple[tuple[str, tuple[frozenset[str], ...]], ...] = (
    (
        "counts",
        (
            frozenset({"Identifiant arc", "Date et heure de comptage", "Débit horaire"}),
            frozenset({"iu_ac", "t_1h", "q", "k"}),
        ),
    ),
    (
        "referentiel",
        (
            frozenset({"Identifiant arc", "geo_shape"}),
            frozenset({"iu_ac", "libelle", "geo_shape"}),
        ),
    ),
    (
        "roadworks",
        (
            frozenset({"Identifiant", "Code postal de l'arrondissement", "Date de début"}),
            frozenset({"identifiant", "cp_arrondissement", "date_debut"}),
        ),
    ),
    ("velib-csv", VELIB_SIGNATURES),
    (
        "bike-counters",
        (
            frozenset({"Identifiant du compteur", "Comptage horaire"}),
            frozenset({"id_compteur", "sum_counts", "date"}),
        ),
    ),
    ("synop", (frozenset({"numer_sta", "date", "t"}),)),
    (
        "weather-daily",
        (
            frozenset({"STATION", "DATE", "PRCP"}),
            frozenset({"STATION", "DATE", "TMAX"}),
            frozenset({"date", "tavg", "tmin", "tmax", "prcp"}),
        ),
    ),
)
KINDS = (
    *(kind for kind, _ in CSV_SIGNATURES),
    "velib-geojson",
    "gbfs-status",
    "gbfs-information",
    "open-meteo",
    "openweathermap",
)
_SEPARATORS = (";", ",", "\t")


@dataclass(frozen=True)
class Detected:
    """What a file is: its kind, and for a CSV its separator and header columns."""

    kind: str
    sep: str = ""
    columns: tuple[str, ...] = ()
    document: Any = None


def detect(text: str, name: str) -> Detected:
    """The kind of the (decoded) file ``text``; raises :class:`RawFormatError` naming
    ``name`` and the kinds it knows when it is none of them."""
    start = text.lstrip()[:1]
    if start in ("{", "["):
        return _detect_json(text, name)
    first = text.split("\n", 1)[0].rstrip("\r")
    for sep in _SEPARATORS:
        columns = tuple(c.strip().strip('"') for c in first.split(sep))
        present = set(columns)
        for kind, variants in CSV_SIGNATURES:
            if any(v <= present for v in variants):
                return Detected(kind, sep, columns)
    for sep in _SEPARATORS:  # a daily weather table, by what its columns hold
        columns = tuple(c.strip().strip('"') for c in first.split(sep))
        if len(columns) > 1 and daily_columns(columns) is not None:
            return Detected("weather-daily", sep, columns)
    if _holds_values(first):
        raise RawFormatError(
            f"{name} has no header line: its first line holds values, not column names "
            f"({first[:80]!r})",
            key=name,
            hint="import the export as downloaded (its first line names the columns), or "
            "put that line back",
            said=refused.no_header(name),
        )
    raise RawFormatError(
        f"{name} is not an export this importer knows: it looks like {_looks(first)}",
        key=name,
        hint=f"{nearest_csv_kind(first)}; known kinds: {', '.join(KINDS)} (see docs/city.md)",
        said=refused.unknown_csv(name, ", ".join(KINDS)),
    )


def _holds_values(first: str) -> bool:
    # a line cut into columns of which at least half are numbers or dates
    _, cells = _split(first)
    values = sum(bool(c) and (c[0].isdigit() or c[:1] in "-+.") for c in cells)
    return len(cells) >= 2 and values * 2 >= len(cells)


def _split(first: str) -> tuple[str, tuple[str, ...]]:
    # the separator that cuts the header line into the most columns
    sep = max(_SEPARATORS, key=lambda s: (first.count(s), -_SEPARATORS.index(s)))
    return sep, tuple(c.strip().strip('"') for c in first.split(sep))


def _looks(first: str) -> str:
    sep, columns = _split(first)
    if len(columns) < 2:
        return f"text, not a table (first line {first[:80]!r})"
    shown = ", ".join(repr(c) for c in columns[:6]) + (", …" if len(columns) > 6 else "")
    label = _SEPARATOR_WORDS.get(sep, repr(sep))
    return f"a {label}-separated table of {len(columns)} columns ({shown})"


#: A separator in words (``a comma-separated table``), never a Python string.
_SEPARATOR_WORDS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


def nearest_csv_kind(first: str) -> str:
    """The known CSV kind whose expected columns the header line ``first`` shares most
    of (by the share of a signature's columns present), said with what it lacks."""
    columns = _split(first)[1]
    present = set(columns)
    best: tuple[float, str, frozenset[str]] | None = None
    roles = daily_roles(columns)  # names any case, with or without accents
    if "date" in roles and len(roles) > 1:  # a daily table short of daily values
        held = ", ".join(repr(c) for r, c in roles.items() if r != "date")
        return (
            f"nearest known kind: weather-daily (it has a date and {held}; it needs at "
            f"least two daily values: {_DAILY_NEEDS})"
        )
    weather = _weather_words(present) or len(roles) > 1
    for kind, variants in CSV_SIGNATURES:
        if weather and kind not in WEATHER_KINDS:
            continue  # a weather table is nearest to a weather kind
        for wanted in variants:
            share = len(wanted & present) / len(wanted)
            if share > 0 and (best is None or share > best[0]):
                best = (share, kind, wanted)
    if best is None:
        return "no known kind shares a column with it"
    _, kind, wanted = best
    lacks = ", ".join(repr(c) for c in sorted(wanted - present))
    return f"nearest known kind: {kind} (it lacks {lacks})"


#: What a daily weather table needs beside its date, said in a refusal's hint.
_DAILY_NEEDS = (
    "the maximum, minimum or mean temperature in °C, or the precipitation in mm "
    "(e.g. temp_max, temp_min, temp_moyenne, precipitations; TMAX, TMIN, TAVG, PRCP)"
)
#: The CSV kinds of weather, and words that say a column holds weather.
WEATHER_KINDS = ("synop", "weather-daily")
_WEATHER_WORDS = ("temp", "precip", "prcp", "rain", "pluie", "tmax", "tmin", "tavg", "wind",
                  "vent", "humid", "meteo", "météo", "weather")  # fmt: skip


def _weather_words(columns: set[str]) -> bool:
    return any(w in c.lower() for c in columns for w in _WEATHER_WORDS)


def _detect_json(text: str, name: str) -> Detected:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RawFormatError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}); cut short?",
            key=name,
            said=refused.json_invalid(name, exc.lineno),
        ) from None
    if isinstance(doc, dict):
        stations = (
            doc.get("data", {}).get("stations") if isinstance(doc.get("data"), dict) else None
        )
        if isinstance(stations, list) and stations and isinstance(stations[0], dict):
            first = stations[0]
            if "num_bikes_available" in first or "numBikesAvailable" in first:
                return Detected("gbfs-status", document=doc)
            if "capacity" in first:
                return Detected("gbfs-information", document=doc)
        features = doc.get("features") if doc.get("type") == "FeatureCollection" else None
        if isinstance(features, list) and features and isinstance(features[0], dict):
            properties = features[0].get("properties")
            if isinstance(properties, dict) and is_velib_properties(properties):
                return Detected("velib-geojson", document=doc)
        hourly = doc.get("hourly")
        if isinstance(hourly, dict) and isinstance(hourly.get("time"), list):
            return Detected("open-meteo", document=doc)
        if isinstance(doc.get("main"), dict) and "dt" in doc:
            return Detected("openweathermap", document=doc)
    raise RawFormatError(
        f"{name} is JSON, but not a Vélib' GBFS feed, Open-Meteo or OpenWeatherMap document: "
        f"it looks like {_looks_json(doc)}",
        key=name,
        hint=f"{_nearest_json_kind(doc)}; known kinds: {', '.join(KINDS)} (see docs/city.md)",
        said=refused.unknown_json(name, ", ".join(KINDS)),
    )


#: JSON kinds: the top-level keys their documents carry.
_JSON_KEYS = (
    ("gbfs-status", frozenset({"data", "last_updated", "ttl"})),
    ("gbfs-information", frozenset({"data", "last_updated", "ttl"})),
    ("open-meteo", frozenset({"latitude", "longitude", "hourly", "utc_offset_seconds"})),
    ("openweathermap", frozenset({"coord", "main", "dt", "weather"})),
)


def _looks_json(doc: object) -> str:
    if isinstance(doc, dict):
        if doc.get("type") == "FeatureCollection":
            return f"a GeoJSON FeatureCollection of {len(doc.get('features') or [])} feature(s)"
        keys = ", ".join(repr(k) for k in list(doc)[:6]) + (", …" if len(doc) > 6 else "")
        return f"a JSON object with keys {keys}" if doc else "an empty JSON object"
    if isinstance(doc, list):
        return f"a JSON list of {len(doc)} item(s)"
    return f"a single JSON {type(doc).__name__}"


def _nearest_json_kind(doc: object) -> str:
    keys = set(doc) if isinstance(doc, dict) else set()
    share, kind, expected = max(
        ((len(k & keys) / len(k), kind, k) for kind, k in _JSON_KEYS), key=lambda b: b[0]
    )
    if share == 0:
        return "no known kind shares a key with it"
    lacks = ", ".join(repr(k) for k in sorted(expected - keys))
    if not lacks:
        return f"nearest known kind: {kind} (its keys are there, not its content)"
    return f"nearest known kind: {kind} (it lacks {lacks})"
