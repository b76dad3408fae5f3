"""What a page shows untranslated: the catalog's message keys and the refusals' codes left
raw in its visible text or in its charts' labels (the page-walk tests' check)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from tests.support.english import _Text

#: A chart's fields a reader sees (titles, axis and legend names, bar and slice labels).
CHART_TEXT = {"x", "y", "labels", "name", "text", "title"}


def chart_texts(html: str) -> list[str]:
    """The words of the page's charts (their plotly JSON), but numbers and dates."""
    found: list[str] = []

    def walk(node: object, seen: bool) -> None:
        if isinstance(node, str):
            if seen and re.search(r"[^\W\d_]", node) and not re.fullmatch(r"[\d\-: T.]+", node):
                found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, seen or key in CHART_TEXT or key == "text")
        elif isinstance(node, list):
            for item in node:
                walk(item, seen)

    for figure in re.findall(
        r'<script type="application/json" id="chart-[^"]+">(.*?)</script>', html, re.S
    ):
        walk(json.loads(figure), False)
    return found


def visible_texts(html: str) -> list[str]:
    """The page's visible text and labelling attributes (not scripts, not ``translate=no``)."""
    parser = _Text()
    parser.feed(html)
    return parser.parts


def raw_keys(html: str, keys: set[str]) -> list[str]:
    """The catalog's keys (``prediction.risk.low``) and the refusals' codes whose sentence
    the catalog holds (``record_not_found`` for ``error.record_not_found``) that the page
    shows as they are, in its text, its code spans or its charts."""

    def tokens() -> Iterator[str]:
        parser = _Text()
        parser.feed(re.sub(r"<script\b.*?</script>", "", html, flags=re.S))
        shown = " ".join([*parser.parts, *re.findall(r"<code>([^<]*)</code>", html)])
        yield from re.findall(
            r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*", shown + " " + " ".join(chart_texts(html))
        )

    return sorted(
        {
            token
            for token in tokens()
            if token in keys or ("_" in token and f"error.{token}" in keys)
        }
    )
