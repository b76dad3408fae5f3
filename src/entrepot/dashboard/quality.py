"""A day's data-quality warnings beside each chart that draws that day's numbers.

A metrics document keeps its warnings twice (ADR 0037, 0044): ``warnings``, English notes
for the operator, and aligned with them ``warning_messages`` (each note's message, or
None for a note without one), plus ``missing_hours``. The page writes the messages in
its language; a note without a message (or a document of an earlier release, which has
only the texts) is listed as it is under "notes for the operator", never parsed. A chart
whose document has warnings is marked: a ⚠ in its title, a grey band with a ⚠ over each
hour without data on an hourly chart, and the list under it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from entrepot.city.messages import render
from entrepot.i18n import Translator
from entrepot.i18n.catalogs import N_

MARK = "⚠"


@dataclass(frozen=True)
class Quality:
    """One document's warnings in a page's language."""

    notes: tuple[str, ...]
    operator: tuple[str, ...]
    missing_hours: tuple[int, ...]

    def __bool__(self) -> bool:
        return bool(self.notes or self.operator or self.missing_hours)


NONE = Quality((), (), ())


def quality(document: Mapping[str, Any] | None, t: Translator) -> Quality:
    """The warnings of a stored metrics ``document`` (the whole document, not its
    ``metrics``) in ``t``'s language."""
    if not document:
        return NONE
    texts = [str(w) for w in document.get("warnings") or []]
    messages = list(document.get("warning_messages") or [])
    messages += [None] * (len(texts) - len(messages))
    notes = tuple(render(m, t) for m in messages if m is not None)
    operator = tuple(text for text, m in zip(texts, messages, strict=False) if m is None)
    hours = tuple(int(h) for h in document.get("missing_hours") or [])
    return Quality(notes, operator, hours)


def marked(figure: dict[str, Any], found: Quality, t: Translator) -> dict[str, Any]:
    """``figure`` with its warnings shown on it: a ⚠ before its title and, when its x axis
    is the hour, a band with a ⚠ over each hour without data."""
    if not found:
        return figure
    layout = dict(figure.get("layout") or {})
    title = dict(layout.get("title") or {})
    title["text"] = f"{MARK} {title.get('text', '')}"
    layout["title"] = title
    hourly = all(
        trace.get("type") in {"bar", "scatter"}
        and all(isinstance(x, int) for x in trace.get("x") or [])
        for trace in figure.get("data") or []
    )
    shapes = list(layout.get("shapes") or [])
    notes = list(layout.get("annotations") or [])
    if hourly:
        for hour in found.missing_hours:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": hour - 0.5,
                    "x1": hour + 0.5,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": "#9e9e9e",
                    "opacity": 0.25,
                    "line": {"width": 0},
                }
            )
            notes.append(
                {
                    "x": hour,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": MARK,
                    "hovertext": t(N_("dash.warnings.missing_hour")),
                    "showarrow": False,
                    "yanchor": "bottom",
                }
            )
    layout["shapes"], layout["annotations"] = shapes, notes
    return {**figure, "layout": layout}
