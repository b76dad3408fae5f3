"""Shared pieces of the generators: seeded streams, names, CSV quoting."""

from __future__ import annotations

from datetime import date

import numpy as np

#: One id per random stream, so that sources and days draw independently.
STREAMS = {
    "arcs": 1,
    "counts": 2,
    "outages": 3,
    "stations": 4,
    "bikes": 5,
    "counters": 6,
    "weather": 7,
    "disruptions": 8,
    "roadworks": 9,
}

STREETS = (
    "Champs_Elysees",
    "Rivoli",
    "Sebastopol",
    "Saint_Michel",
    "Haussmann",
    "Magenta",
    "Voltaire",
    "Republique",
    "Italie",
    "Montparnasse",
    "Raspail",
    "Saint_Germain",
    "Grande_Armee",
    "Wagram",
    "Clichy",
    "Barbes",
    "Belleville",
    "Menilmontant",
    "Daumesnil",
    "Diderot",
    "General_Leclerc",
    "Vaugirard",
    "Grenelle",
    "Convention",
    "Victor_Hugo",
    "Foch",
    "Kleber",
    "Marceau",
    "Opera",
    "Strasbourg",
    "Bercy",
    "Austerlitz",
    "Tuileries",
    "Louvre",
    "Celestins",
    "Henri_IV",
    "Port_Royal",
    "Denfert_Rochereau",
    "Alesia",
    "Jean_Jaures",
    "Flandre",
    "La_Villette",
    "Maillot",
    "Champerret",
    "Bastille",
    "Nation",
    "Porte_Doree",
    "Bagnolet",
    "Lilas",
    "Chapelle",
)

LABEL_PREFIXES = ("Av", "Bd", "Rue", "Quai", "PI", "PE", "AI", "AE", "SI", "SE", "VGP")
LABEL_WEIGHTS = (0.26, 0.2, 0.2, 0.08, 0.06, 0.06, 0.03, 0.03, 0.03, 0.03, 0.02)


def rng(seed: int, stream: str, *more: int) -> np.random.Generator:
    """An independent generator for ``(seed, stream, *more)``."""
    return np.random.default_rng([seed, STREAMS[stream], *more])


def day_rng(seed: int, stream: str, day: date, *more: int) -> np.random.Generator:
    """An independent generator for one day of one stream."""
    return rng(seed, stream, day.toordinal(), *more)


def quote(text: str, sep: str = ";") -> str:
    """Quote a CSV field only when needed, doubling inner quotes (the exports' style)."""
    if any(ch in text for ch in (sep, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def line_string(
    generator: np.random.Generator, lat: float, lon: float, points: int
) -> list[list[float]]:
    """A GeoJSON LineString's coordinates ([lon, lat] pairs) of 40-120 m steps around a point."""
    heading = generator.uniform(0, 2 * np.pi)
    coords: list[list[float]] = []
    cur_lat, cur_lon = lat, lon
    for _ in range(points):
        coords.append([round(cur_lon, 12), round(cur_lat, 12)])
        step = generator.uniform(40, 120)
        heading += generator.normal(0, 0.3)
        cur_lat += step * np.cos(heading) / 111_320
        cur_lon += step * np.sin(heading) / (111_320 * np.cos(np.radians(cur_lat)))
    return coords
