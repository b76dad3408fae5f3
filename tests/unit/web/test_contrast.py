"""The risk badges' text reaches WCAG 2.1 AA contrast (4.5:1) on their colours, read from
the stylesheet the pages use; a skip link leads to the content."""

from __future__ import annotations

import re

import pytest

from entrepot.http.assets import asset

WHITE = "#ffffff"


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_matches_wcags_examples() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast("#f9a825", WHITE) == pytest.approx(1.97, abs=0.01)  # the old amber badge


@pytest.mark.parametrize("level", ["low", "medium", "high", "critical"])
def test_each_risk_badge_is_readable(level: str) -> None:
    css = asset("app.css").body.decode()
    rule = re.search(rf"\.risk\.{level} \{{([^}}]*)\}}", css)
    assert rule, level
    background = re.search(r"background: (#[0-9a-f]{6})", rule.group(1))
    colour = re.search(r"(?<!-)color: (#[0-9a-f]{6})", rule.group(1))
    assert background
    text = colour.group(1) if colour else WHITE  # .risk's own colour
    assert contrast(background.group(1), text) >= 4.5, (level, background.group(1), text)
