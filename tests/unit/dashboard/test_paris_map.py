"""The map's pieces: arrondissement outlines, colours, names."""

from __future__ import annotations

from entrepot.city.places import Places
from entrepot.dashboard.paris_map import SCALE, colour, outlines, paris_map, zone_name
from entrepot.i18n import translator

FR, EN = translator("fr"), translator("en")


def test_twenty_closed_outlines_lighter_than_the_source() -> None:
    shapes = outlines()
    assert sorted(shapes) == [f"750{n:02d}" for n in range(1, 21)]
    for xs, ys in shapes.values():
        assert (xs[0], ys[0]) == (xs[-1], ys[-1])
        assert all(2.2 < x < 2.5 for x in xs if x is not None)
        assert all(48.8 < y < 48.91 for y in ys if y is not None)
    assert sum(len(xs) for xs, _ in shapes.values()) < 5008 / 2


def test_colours_grow_with_the_value() -> None:
    assert colour(0, 0, 10) == SCALE[0] and colour(10, 0, 10) == SCALE[-1]
    assert colour(5, 0, 0) == SCALE[0]
    assert [SCALE.index(colour(v, 0, 100)) for v in (0, 30, 60, 100)] == sorted(
        SCALE.index(colour(v, 0, 100)) for v in (0, 30, 60, 100)
    )
    # the scale starts at the lowest figure shown, not at 0
    assert colour(50, 50, 60) == SCALE[0] and colour(60, 50, 60) == SCALE[-1]


def test_arrondissement_names_in_french_and_in_english() -> None:
    codes = ("75001", "75002", "75003", "75011", "75020", "hors Paris")
    assert [zone_name(code, FR) for code in codes] == [
        "1er",
        "2e",
        "3e",
        "11e",
        "20e",
        "hors Paris",
    ]
    assert [zone_name(code, EN) for code in codes] == [
        "1st",
        "2nd",
        "3rd",
        "11th",
        "20th",
        "hors Paris",
    ]


def test_a_map_without_places_still_draws_the_arrondissements() -> None:
    figure = paris_map({"75011": 12.0}, Places(), FR)
    assert len(figure["data"]) == 21  # 20 polygons and their labels with the colour bar
    assert figure["data"][-1]["marker"]["cmax"] == 12.0


def test_the_map_speaks_the_pages_language() -> None:
    french, english = (paris_map({"75011": 1234.0}, Places(), t) for t in (FR, EN))
    eleventh = [trace for trace in french["data"] if trace.get("name") == "11e"]
    assert eleventh[0]["text"] == "11e\u00a0: 1\u202f234\u00a0h"
    assert french["data"][-1]["marker"]["colorbar"]["title"]["text"] == "Congestion (tronçon·h)"
    assert french["layout"]["separators"] == ",\u202f"
    eleventh = [trace for trace in english["data"] if trace.get("name") == "11th"]
    assert eleventh[0]["text"] == "11th: 1,234 h"
    assert english["data"][-1]["marker"]["colorbar"]["title"]["text"] == "Congestion (arc·h)"
    assert english["layout"]["separators"] == ".,"


def test_the_dashboard_loads_numpy_and_pandas_only_with_the_first_map() -> None:
    import subprocess
    import sys

    code = (
        "import sys, entrepot.dashboard.city; "
        "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_arcs_tooltip_is_its_name_for_people_or_its_number() -> None:
    from entrepot.city.places import Arc

    arcs = (
        Arc("Av_Daumesnil", ((2.39, 48.84), (2.40, 48.84)), "4242"),
        Arc("", ((2.30, 48.87),), "77"),
    )
    for t, numbered in ((FR, "tronçon 77"), (EN, "arc 77")):
        figure = paris_map({"75012": 1.0}, Places(arcs=arcs), t)
        name = t("dash.map.layer_arcs")
        layer = next(trace for trace in figure["data"] if trace.get("name") == name)
        assert [text for text in layer["text"] if text] == ["Av Daumesnil"] * 2 + [numbered]
