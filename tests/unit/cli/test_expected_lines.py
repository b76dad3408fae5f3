"""``fraud score`` prints the card's promise as a figure only where the card promises
one: a range wider than half the scale (``promises: false``) is shown as a range."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from entrepot.cli.fraud.render import print_expected


def _expected(low: float, high: float, promises: bool) -> dict[str, Any]:
    return {
        "level": 0.95,
        "auprc": {"value": 0.681, "low": low, "high": high},
        "promises": promises,
        "horizon_days": {"min": 7.0, "median": 10.0, "max": 14.0},
        "beyond_rows": 0,
    }


def printed(found: dict[str, Any]) -> str:
    out = io.StringIO()
    print_expected(Console(file=out, width=300), found)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_a_promise_prints_its_figure() -> None:
    said = printed(_expected(0.6, 0.75, promises=True))
    assert "the card promises AUPRC 0.681 on this file" in said


def test_a_range_too_wide_prints_no_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    said = printed(_expected(0.0, 1.0, promises=False))
    assert "0.681" not in said and "promises no AUPRC" in said and "0.000 to 1.000" in said
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    said = printed(_expected(0.0, 1.0, promises=False))
    assert "ne promet aucune AUPRC" in said and "0,681" not in said and "de 0,000 à 1,000" in said
