"""The ``chantiers-perturbants`` export: roadworks disrupting traffic.

Recipe (``docs/city-formats.md`` §2): 100-200 rows, ``;``, UTF-8 with BOM,
multi-line quoted free text containing ``;``; arrondissements weighted towards
75008/75015/75013/75014/75010; impact RESTREINTE 74 %, SENS_UNIQUE 12 %,
BARRAGE_TOTAL 10 %, IMPASSE 2 %, empty 2 %; niveau 2 (perturbant) 75 %, 1 (très
perturbant) 24 %; durations log-normal with median ~250 days; Polygon (90 %) or
MultiPolygon geometry; about 1 % entirely empty rows.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np

from entrepot.city.geo import ARRONDISSEMENTS
from entrepot.city.synth.common import STREETS, quote, rng

HEADER = (
    "Identifiant;Identifiant CTV;Code postal de l'arrondissement;Numéro de STV;Typologie;"
    "Maitre d'ouvrage;Objet;Description;Voie(s);Précisions de localisation;Date de début;"
    "Date de fin;Impact sur la circulation;Détail de l'impact sur la circulation;"
    "Niveau de perturbation;Statut;URL LettreInfoChantier;geo_shape;geo_point_2d"
)
OWNERS = ("Eau de Paris", "RATP RER", "DVD - MAC", "Enedis", "GRDF", "CPCU", "Orange", "SNCF")
OBJECTS = (
    "REHABILITATION_IMMEUBLE",
    "REAMENAGEMENT_VOIRIE",
    "TRAVAUX_OUVRAGE",
    "CONSTRUCTION_IMMEUBLE",
    "ENTRETIEN_RESEAU",
    "CREATION_RESEAUX",
    "REFECTION_CHAUSSEE",
    "RACCORDEMENT_RESEAU",
    "TRAVAUX_URGENCE",
    "INSPECTION_ENTRETIEN_RESEAU",
)
IMPACTS = ("RESTREINTE", "SENS_UNIQUE", "BARRAGE_TOTAL", "IMPASSE", "")
IMPACT_WEIGHTS = (0.74, 0.12, 0.10, 0.02, 0.02)
DETAILS = (
    "Déviation circulation générale (Bus + vélos)",
    "Neutralisation d'une file;\nmaintien d'une voie de circulation",
    "Fermeture de la voie\nsauf riverains et secours",
    "",
)


def _weights() -> list[float]:
    heavy = {"75008": 3.0, "75015": 2.8, "75013": 2.5, "75014": 2.3, "75010": 2.1}
    total = sum(heavy.get(code, 1.0) for code in ARRONDISSEMENTS)
    return [heavy.get(code, 1.0) / total for code in ARRONDISSEMENTS]


def _polygon(g: np.random.Generator, lat: float, lon: float) -> list[list[list[float]]]:
    half_lat, half_lon = g.uniform(0.0002, 0.0008), g.uniform(0.0003, 0.0011)
    ring = [
        [lon - half_lon, lat - half_lat],
        [lon + half_lon, lat - half_lat],
        [lon + half_lon, lat + half_lat],
        [lon - half_lon, lat + half_lat],
        [lon - half_lon, lat - half_lat],
    ]
    return [[[round(x, 12), round(y, 12)] for x, y in ring]]


def roadworks_lines(as_of: date, count: int, seed: int) -> list[str]:
    """The export as of ``as_of``: header then ``count`` rows (some spanning several lines)."""
    g = rng(seed, "roadworks", as_of.toordinal())
    codes = list(ARRONDISSEMENTS)
    lines = [HEADER]
    for i in range(count):
        ident = f"CP{2000 + i * 7 + int(g.integers(0, 7)):06d}"
        if g.random() < 0.01:
            lines.append(";".join([ident] + [""] * 18))
            continue
        code = codes[int(g.choice(len(codes), p=_weights()))]
        clat, clon = ARRONDISSEMENTS[code]
        lat, lon = clat + g.normal(0, 0.004), clon + g.normal(0, 0.005)
        duration = int(np.clip(g.lognormal(np.log(250), 1.4), 3, 4000))
        begin = as_of - timedelta(days=int(g.integers(-30, duration)))
        end = begin + timedelta(days=duration)
        status = (
            "1" if begin > as_of else ("5" if end < as_of else ("2" if g.random() < 0.95 else "4"))
        )
        if g.random() < 0.9:
            geometry = {"coordinates": _polygon(g, lat, lon), "type": "Polygon"}
        else:
            parts = [_polygon(g, lat, lon), _polygon(g, lat + 0.001, lon + 0.001)]
            geometry = {"coordinates": parts, "type": "MultiPolygon"}
        street = STREETS[int(g.integers(0, len(STREETS)))].replace("_", " ")
        niveau = str(g.choice(["1", "2", ""], p=[0.24, 0.75, 0.01]))
        fields = [
            ident,
            "" if g.random() < 0.33 else str(int(g.integers(100000, 999999))),
            code,
            str(g.integers(9, 15)),
            str(g.integers(1, 4)),
            OWNERS[int(g.integers(0, len(OWNERS)))],
            OBJECTS[int(g.integers(0, len(OBJECTS)))],
            f'Travaux {street};\nphase {int(g.integers(1, 4))} : "emprise" sur chaussée',
            street,
            f"{int(g.integers(1, 120))}-{int(g.integers(120, 200))} {street}\n(côté pair)",
            begin.isoformat(),
            end.isoformat(),
            IMPACTS[int(g.choice(len(IMPACTS), p=IMPACT_WEIGHTS))],
            DETAILS[int(g.integers(0, len(DETAILS)))],
            niveau,
            status,
            "" if g.random() < 0.87 else f"https://www.paris.fr/chantiers/{ident.lower()}",
            json.dumps(geometry),
            f"{float(lat)!r}, {float(lon)!r}",
        ]
        lines.append(";".join(quote(f) for f in fields))
    return lines
