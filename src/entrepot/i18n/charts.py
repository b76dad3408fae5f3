"""Plotly.js in the page's language: a locale module (``Plotly.register``) built from CLDR
through Babel (month and day names, decimal and group separators, date formats) and the
catalog (the mode bar's tooltips), served from this site like Plotly.js itself.

The ``plotly`` package ships Plotly.js without its locale files; the locale is written
here rather than copied from plotly.js so that it says what the rest of the page says.
"""

from __future__ import annotations

import json

from babel.core import Locale

from entrepot.i18n.catalogs import N_, translator

#: Plotly's English mode-bar texts -> catalog keys.
MODEBAR = {
    "Download plot as a png": N_("chart.download_png"),
    "Download plot": N_("chart.download"),
    "Zoom": N_("chart.zoom"),
    "Pan": N_("chart.pan"),
    "Box Select": N_("chart.box_select"),
    "Lasso Select": N_("chart.lasso_select"),
    "Zoom in": N_("chart.zoom_in"),
    "Zoom out": N_("chart.zoom_out"),
    "Autoscale": N_("chart.autoscale"),
    "Reset axes": N_("chart.reset_axes"),
    "Toggle Spike Lines": N_("chart.spikes"),
    "Show closest data on hover": N_("chart.hover_closest"),
    "Compare data on hover": N_("chart.hover_compare"),
    "Double-click to zoom back out": N_("chart.zoom_back"),
    "Produced with Plotly.js": N_("chart.produced_with"),
    "Reset view": N_("chart.reset_view"),
}


def _sunday_first(names: dict[int, str]) -> list[str]:
    """CLDR numbers days from Monday (0); Plotly's (d3's) lists start on Sunday."""
    return [str(names[(i + 6) % 7]) for i in range(7)]


def plotly_locale(lang: str) -> str:
    """The JavaScript that registers the Plotly.js locale ``lang``."""
    locale, t = Locale.parse(lang), translator(lang)
    symbols = locale.number_symbols["latn"]
    months = locale.months["format"]
    days = locale.days["format"]
    periods = locale.day_periods["format"]["abbreviated"]
    spec = {
        "moduleType": "locale",
        "name": lang,
        "dictionary": {english: t(key) for english, key in MODEBAR.items()},
        "format": {
            "days": _sunday_first(days["wide"]),
            "shortDays": _sunday_first(days["abbreviated"]),
            "months": [str(months["wide"][m]) for m in range(1, 13)],
            "shortMonths": [str(months["abbreviated"][m]) for m in range(1, 13)],
            "periods": [str(periods.get("am", "AM")), str(periods.get("pm", "PM"))],
            "decimal": str(symbols["decimal"]),
            "thousands": str(symbols["group"]),
            "grouping": [3],
            "date": "%d/%m/%Y" if lang == "fr" else "%m/%d/%Y",
            "year": "%Y",
            "month": "%b %Y",
            "dayMonth": "%-d %b" if lang == "fr" else "%b %-d",
            "dayMonthYear": "%-d %b %Y" if lang == "fr" else "%b %-d, %Y",
        },
    }
    body = json.dumps(spec, ensure_ascii=False, indent=1)
    return (
        f"// Plotly.js locale {lang!r}, from CLDR (Babel) and Entrepôt's catalog.\n"
        f'if (typeof Plotly !== "undefined") {{ Plotly.register({body}); }}\n'
    )
