"""Recognise an export by its content (never by its name): header columns or JSON keys.

Kinds (see ``docs/city.md``): ``counts`` (label headers or raw ``iu_ac,…,t_1h,q,k``),
``referentiel``, ``roadworks`` (chantiers perturbants), ``velib-csv`` (the portal's
Vélib' availability), ``gbfs-status`` / ``gbfs-information`` (Vélib' GBFS feeds),
``bike-counters`` (Comptage vélo), ``synop`` (Météo-France), ``open-meteo`` and
``openweathermap``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from entrepot.city.errors import RawFormatError

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
    ("velib-csv", (frozenset({"Identifiant station", "Nombre total vélos disponibles"}),)),
    ("bike-counters", (frozenset({"Identifiant du compteur", "Comptage horaire"}),)),
    ("synop", (frozenset({"numer_sta", "date", "t"}),)),
)
KINDS = (
    *(kind for kind, _ in CSV_SIGNATURES),
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
    raise RawFormatError(
        f"{name} is not an export this importer knows (header {first[:100]!r})",
        key=name,
        hint=f"known kinds: {', '.join(KINDS)} (see docs/city.md)",
    )


def _detect_json(text: str, name: str) -> Detected:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RawFormatError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}); cut short?", key=name
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
        hourly = doc.get("hourly")
        if isinstance(hourly, dict) and isinstance(hourly.get("time"), list):
            return Detected("open-meteo", document=doc)
        if isinstance(doc.get("main"), dict) and "dt" in doc:
            return Detected("openweathermap", document=doc)
    raise RawFormatError(
        f"{name} is JSON, but not a Vélib' GBFS feed, Open-Meteo or OpenWeatherMap document",
        key=name,
        hint=f"known kinds: {', '.join(KINDS)} (see docs/city.md)",
    )
