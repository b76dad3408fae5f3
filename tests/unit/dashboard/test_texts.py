"""The dashboard's new words: English and French for each, each used, French typography."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrepot.dashboard.periods import KPIS
from entrepot.dashboard.texts import TEXTS, text

DASHBOARD = Path(__file__).resolve().parents[3] / "src" / "entrepot" / "dashboard"


def test_every_text_has_both_languages_and_the_same_fields() -> None:
    for key, (english, french) in TEXTS.items():
        assert english.strip() and french.strip(), key
        fields = re.compile(r"\{(\w+)\}")
        assert set(fields.findall(english)) == set(fields.findall(french)), key


def test_every_text_is_used_and_every_key_figure_has_a_label() -> None:
    code = "".join(
        p.read_text(encoding="utf-8")
        for p in DASHBOARD.rglob("*")
        if p.suffix in (".py", ".html") and p.name != "texts.py"
    )
    built = {f"kpi.{k}" for k in KPIS} | {f"delta.{d}" for d in ("up", "down", "flat", "none")}
    assert built <= set(TEXTS)
    assert [
        k for k in TEXTS if k not in built and f"'{k}'" not in code and f'"{k}"' not in code
    ] == []


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_french_has_a_space_before_double_punctuation(key: str) -> None:
    french = re.sub(r"`[^`]*`", "", TEXTS[key][1])  # commands are quoted as typed
    assert not re.search(r"[^\s\u00a0\u202f][:;?!]", french), french
    assert "« " in french or "«" not in french


def test_text_fills_in_values() -> None:
    assert text("period.coverage", days=3, length=7) == "3 jours sur 7 ont des données."
