"""The map's pieces: arrondissement outlines, colours, names."""

from __future__ import annotations

from entrepot.city.places import Places
from entrepot.dashboard.paris_map import SCALE, colour, outlines, paris_map, zone_name


def test_twenty_closed_outlines_lighter_than_the_source() -> None:
    shapes = outlines()
    assert sorted(shapes) == [f"750{n:02d}" for n in range(1, 21)]
    for xs, ys in shapes.values():
        assert (xs[0], ys[0]) == (xs[-1], ys[-1])
        assert all(2.2 < x < 2.5 for x in xs if x is not None)
        assert all(48.8 < y < 48.91 for y in ys if y is not None)
    assert sum(len(xs) for xs, _ in shapes.values()) < 5008 / 2


def test_colours_grow_with_the_value() -> None:
    assert colour(0, 10) == SCALE[0] and colour(10, 10) == SCALE[-1]
    assert colour(5, 0) == SCALE[0]
    assert [SCALE.index(colour(v, 100)) for v in (0, 30, 60, 100)] == sorted(
        SCALE.index(colour(v, 100)) for v in (0, 30, 60, 100)
    )


def test_arrondissement_names_in_french() -> None:
    assert (zone_name("75001"), zone_name("75011"), zone_name("hors Paris")) == (
        "1er",
        "11e",
        "hors Paris",
    )


def test_a_map_without_places_still_draws_the_arrondissements() -> None:
    figure = paris_map({"75011": 12.0}, Places())
    assert len(figure["data"]) == 21  # 20 polygons and their labels with the colour bar
    assert figure["data"][-1]["marker"]["cmax"] == 12.0


def test_the_dashboard_loads_numpy_and_pandas_only_with_the_first_map() -> None:
    import subprocess
    import sys

    code = (
        "import sys, entrepot.dashboard.city; "
        "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
