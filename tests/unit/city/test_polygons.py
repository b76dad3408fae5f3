"""Arrondissements by the real polygons (package data), and a record's own postal code wins."""

from __future__ import annotations

from datetime import date

import numpy as np

from entrepot.city.geo import parse_point
from entrepot.city.polygons import OUTSIDE, locate
from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS, roadworks_metrics
from entrepot.city.readers import read_csv
from entrepot.city.referentiel import empty_referentiel, load_referentiel
from tests.support.real_paris import CHANTIERS, REFERENTIEL, real


def test_landmarks_fall_in_their_arrondissement() -> None:
    lat = [48.8530, 48.8584, 48.8867, 48.8920, np.nan]
    lon = [2.3499, 2.2945, 2.3431, 2.2360, 2.35]
    # Notre-Dame, the Eiffel Tower, the Sacré-Cœur, La Défense, no point
    assert locate(lat, lon).tolist() == ["75004", "75007", "75018", OUTSIDE, None]


def _chantiers() -> tuple[list[str], np.ndarray, np.ndarray]:
    frame = read_csv(real(CHANTIERS).read_bytes(), CHANTIERS, ROADWORKS_COLUMNS)
    points = [parse_point(p) for p in frame["point"]]
    lat = np.array([p[0] if p else np.nan for p in points])
    lon = np.array([p[1] if p else np.nan for p in points])
    return frame["zone"].tolist(), lat, lon


def test_the_chantiers_points_match_their_own_postal_codes() -> None:
    codes, lat, lon = _chantiers()
    placed = locate(lat, lon)
    agree = sum(a == b for a, b in zip(placed, codes, strict=True))
    # 177 of 192 (92 %); the nearest centroid got 154 (80 %). The rest lie on boundary
    # streets (bd de l'Hôpital, avenue de Suffren) or carry a wrong code.
    assert agree == 177


def test_a_works_own_postal_code_wins_and_a_missing_one_comes_from_its_point() -> None:
    frame = read_csv(real(CHANTIERS).read_bytes(), CHANTIERS, ROADWORKS_COLUMNS)
    honore = frame.index[frame["street"].str.startswith("Rue du Faubourg saint Honor")][0]
    assert frame.loc[honore, "zone"] == "75005"  # its point is in the 8th
    frame.loc[frame.index[0], "zone"] = ""  # CP001735, Arena 2, porte de la Chapelle
    metrics = roadworks_metrics(frame, empty_referentiel(), date(2022, 11, 1))
    by_zone = {z["arrondissement"]: z["active_works"] for z in metrics["by_arrondissement"]}
    kept = roadworks_metrics(
        read_csv(real(CHANTIERS).read_bytes(), CHANTIERS, ROADWORKS_COLUMNS),
        empty_referentiel(),
        date(2022, 11, 1),
    )
    before = {z["arrondissement"]: z["active_works"] for z in kept["by_arrondissement"]}
    assert by_zone == before  # the Arena's point is in the 18th, as its code says
    assert "75005" in by_zone


def test_referentiel_arcs_are_placed_by_polygon() -> None:
    ref = load_referentiel(real(REFERENTIEL).read_bytes(), REFERENTIEL)
    zones = ref.set_index("arc")["arrondissement"]
    assert zones[5671] == "75015"  # rue de la Convention
    assert len(ref) == 3348
    assert int((zones == OUTSIDE).sum()) == 40  # outer ramps beyond the city limit


def test_each_distinct_point_is_located_as_alone() -> None:
    """A day's records repeat each station's point: located once per distinct point, each
    record gets what its point alone would get (NaN points ``None``, -0.0 as 0.0)."""
    rng = np.random.default_rng(5)
    lat = np.round(rng.uniform(48.80, 48.92, 400), 4)
    lon = np.round(rng.uniform(2.22, 2.47, 400), 4)
    picks = rng.integers(0, 400, 5_000)
    lat, lon = lat[picks], lon[picks]
    lat[::97] = np.nan
    lon[::89] = np.nan
    lat[1], lon[1] = 0.0, -0.0
    alone = [
        None if np.isnan(a) or np.isnan(o) else locate([a], [o])[0]
        for a, o in zip(lat.tolist(), lon.tolist(), strict=True)
    ]
    assert locate(lat, lon).tolist() == alone
    assert locate([], []).tolist() == []
