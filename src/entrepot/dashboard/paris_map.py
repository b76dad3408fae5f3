"""The map of Paris as a Plotly figure drawn from local vector data, with no tile server.

Plain ``scatter`` traces in longitude and latitude (SVG, no WebGL, no base map; ADR
0022): the 20 arrondissement polygons filled by a key figure (a choropleth), then the
counted arcs as lines, the Vélib' stations and the active roadworks as markers. The
y axis is anchored to the x axis at Paris's latitude so that the city keeps its shape.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from entrepot.city.messages import NOT_GIVEN, arc_name, render, word
from entrepot.city.places import Places, Point
from entrepot.city.polygons import arrondissement_polygons
from entrepot.dashboard import labels
from entrepot.i18n import Translator
from entrepot.i18n.catalogs import N_

Figure = dict[str, Any]
#: Light to dark: few hours of congestion to many (readable on white, with a legend).
SCALE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
#: Degrees of longitude per degree of latitude at Paris (48.86° N).
ASPECT = 1 / math.cos(math.radians(48.86))
_STEP = 0.0003  # about 25 m: the outline keeps its shape with a fifth of the points


def _thin(ring: Sequence[Sequence[float]]) -> list[Point]:
    kept: list[Point] = []
    for lon, lat in ring:
        point = (round(float(lon), 5), round(float(lat), 5))
        if not kept or max(abs(point[0] - kept[-1][0]), abs(point[1] - kept[-1][1])) >= _STEP:
            kept.append(point)
    first = (round(float(ring[0][0]), 5), round(float(ring[0][1]), 5))
    if kept[-1] != first:
        kept.append(first)  # closed
    return kept


@cache
def outlines() -> dict[str, tuple[list[float | None], list[float | None]]]:
    """Postal code -> the (x, y) of its outline rings, separated by ``None``."""
    shapes: dict[str, tuple[list[float | None], list[float | None]]] = {}
    for code, polygons in sorted(arrondissement_polygons().items()):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for polygon in polygons:
            for ring in polygon:
                points = _thin(ring.tolist())
                xs += [p[0] for p in points] + [None]
                ys += [p[1] for p in points] + [None]
        shapes[code] = (xs[:-1], ys[:-1])
    return shapes


def domain(values: Mapping[str, float]) -> tuple[float, float]:
    """The colour scale's range: the lowest and highest figure of the 20 arrondissements
    drawn (one without a figure counts 0), so that the scale follows the data shown."""
    shown = [values.get(code, 0.0) for code in outlines()]
    return (min(shown, default=0.0), max(shown, default=0.0))


def colour(value: float, low: float, top: float) -> str:
    """The colour of ``value`` on :data:`SCALE` from ``low`` to ``top``."""
    if top <= low:
        return SCALE[0]
    share = min(max((value - low) / (top - low), 0.0), 1.0)
    return SCALE[min(int(share * len(SCALE)), len(SCALE) - 1)]


def zone_name(code: str, t: Translator) -> str:
    """``75011`` -> ``11e`` (fr), ``11th`` (en); ``75001`` -> ``1er``, ``1st``; outside
    Paris named; another value (an older document's word) as it is."""
    return labels.zone_short(code, t)


def _zones(values: Mapping[str, float], t: Translator) -> list[dict[str, Any]]:
    low, top = domain(values)
    traces = []
    for code, (xs, ys) in outlines().items():
        value = values.get(code, 0.0)
        hours = labels.number(value, 0, t.lang)
        hover = t(N_("dash.map.zone_hover"), zone=zone_name(code, t), hours=hours)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "fill": "toself",
                "fillcolor": colour(value, low, top),
                "line": {"color": "#5b6b7c", "width": 1},
                "name": zone_name(code, t),
                "text": hover,
                "hoverinfo": "text",
                "hoveron": "fills",
                "legendgroup": "zones",
                "showlegend": False,
            }
        )
    return traces


def _scale(values: Mapping[str, float], t: Translator) -> dict[str, Any]:
    """Arrondissement numbers at their centres; their markers carry the colour bar."""
    codes, xs, ys = [], [], []
    for code, (x, y) in outlines().items():
        found = [(a, b) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
        codes.append(code)
        xs.append(round(sum(p[0] for p in found) / len(found), 5))
        ys.append(round(sum(p[1] for p in found) / len(found), 5))
    low, top = domain(values)
    ticks = [low + (top - low) * i / 4 for i in range(5)] if top > low else [low]
    return {
        "type": "scatter",
        "mode": "text+markers",
        "x": xs,
        "y": ys,
        "text": [zone_name(code, t) for code in codes],
        "textfont": {"size": 10, "color": "#1d2733"},
        "hoverinfo": "skip",
        "showlegend": False,
        "marker": {
            "size": 1,
            "opacity": 0,
            "color": [values.get(code, 0.0) for code in codes],
            "cmin": low,
            "cmax": top if top > low else low + 1,
            "colorscale": [[i / (len(SCALE) - 1), c] for i, c in enumerate(SCALE)],
            "showscale": True,
            "colorbar": {
                "title": {"text": t(N_("dash.map.scale")), "side": "top"},
                "tickvals": ticks,
                "ticktext": [labels.number(v, 0 if top - low >= 10 else 1, t.lang) for v in ticks],
                "orientation": "h",
                "thickness": 10,
                "len": 0.7,
                "x": 0.5,
                "xanchor": "center",
                "y": -0.02,
                "yanchor": "top",
            },
        },
    }


def _arcs(places: Places, t: Translator) -> dict[str, Any] | None:
    if not places.arcs:
        return None
    xs: list[float | None] = []
    ys: list[float | None] = []
    hover: list[str | None] = []
    for arc in places.arcs:
        xs += [p[0] for p in arc.line] + [None]
        ys += [p[1] for p in arc.line] + [None]
        name = arc_name(arc.label) or t(N_("dash.map.arc_numbered"), arc=arc.arc)
        hover += [name] * len(arc.line) + [None]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": t(N_("dash.map.layer_arcs")),
        "x": xs,
        "y": ys,
        "text": hover,
        "hoverinfo": "text",
        "line": {"color": "#1565c0", "width": 2},
    }


def _markers(name: str, points: Sequence[Point], hover: list[str], **style: Any) -> Figure:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [p[0] for p in points],
        "y": [p[1] for p in points],
        "text": hover,
        "hoverinfo": "text",
        "marker": style,
    }


def paris_map(values: Mapping[str, float], places: Places, t: Translator) -> Figure:
    """The map in ``t``'s language: arrondissements coloured by ``values`` (postal code ->
    figure), then the arcs, stations and works of ``places``."""
    traces: list[dict[str, Any]] = [*_zones(values, t), _scale(values, t)]
    arcs = _arcs(places, t)
    if arcs is not None:
        traces.append(arcs)
    if places.stations:
        stations = places.stations
        traces.append(
            _markers(
                t(N_("dash.map.layer_stations")),
                [s.point for s in stations],
                [s.name for s in stations],
                color="#2e7d32",
                size=7,
                symbol="circle",
                line={"color": "#ffffff", "width": 1},
            )
        )
    if places.works:
        works = places.works
        traces.append(
            _markers(
                t(N_("dash.map.layer_works")),
                [w.point for w in works],
                [
                    f"{w.street} ({render(word('works_impact', w.impact or NOT_GIVEN), t)})"
                    for w in works
                ],
                color="#6a1b9a",
                size=9,
                symbol="triangle-up",
                line={"color": "#ffffff", "width": 1},
            )
        )
    hidden = {"visible": False, "fixedrange": False}
    return {
        "data": traces,
        "layout": {
            "separators": labels.SEPARATORS.get(t.lang, labels.SEPARATORS["en"]),
            "height": 600,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 70},
            "xaxis": hidden,
            "yaxis": {**hidden, "scaleanchor": "x", "scaleratio": ASPECT},
            "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
            "plot_bgcolor": "#ffffff",
            "hovermode": "closest",
        },
    }
