"""The city documents' messages and codes (ADR 0037): stored as key and typed parameters,
written in each language with CLDR numbers, every key in both catalogs with its
parameters, and text of the previous release shown as it is."""

from __future__ import annotations

import string

import pytest

from entrepot.city.messages import (
    ALERT_CONGESTION,
    ALERT_WORKS,
    MESSAGES,
    OUTSIDE,
    UNKNOWN,
    WORDS,
    Message,
    arc,
    place,
    render,
    wmo_kind,
    word,
)
from entrepot.i18n import LANGUAGES, translator
from entrepot.i18n.catalogs import read_catalog

EN, FR = translator("en"), translator("fr")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_pipeline_emits_has_its_parameters_in_each_catalog(lang: str) -> None:
    entries = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_catalog(lang) if m.id}
    for key, params in MESSAGES.items():
        assert key in entries, f"{lang}: {key} is missing"
        found = entries[key].string
        texts = found if isinstance(found, tuple | list) else (found,)
        for text in texts:
            assert text, f"{lang}: {key} is not translated"
            assert _fields(str(text)) == set(params), f"{lang}: {key} fills {_fields(str(text))}"
        assert isinstance(entries[key].id, tuple) == ("count" in params), key


def test_every_code_has_a_key() -> None:
    assert {k for family in WORDS.values() for k in family.values()} <= set(MESSAGES)


def test_a_message_is_stored_as_key_and_typed_parameters() -> None:
    message = Message(ALERT_CONGESTION, {"congested": 12, "blocked": 3})
    stored = message.to_json()
    assert stored == {"key": "city.alert.congestion", "params": {"congested": 12, "blocked": 3}}
    assert Message.from_json(stored) == message
    nested = arc("Av_Daumesnil", 5419, "75012")
    assert Message.from_json(nested.to_json()) == nested


def test_numbers_in_each_language() -> None:
    message = Message(ALERT_CONGESTION, {"congested": 12345, "blocked": 3})
    assert render(message, EN) == "12,345 h saturated or blocked (3 h blocked)"
    assert render(message, FR) == "12\u202f345\u00a0h saturé ou bloqué (dont 3\u00a0h bloqué)"
    assert render(Message(ALERT_WORKS, {"count": 1}), FR) == "1 chantier"
    assert render(Message(ALERT_WORKS, {"count": 2}), EN) == "2 roadworks"


@pytest.mark.parametrize(
    "stored",
    ["12 h saturé ou bloqué (dont 3 h bloqué)", "hors Paris", "inconnu", "", {"key": "x"}],
)
def test_text_of_the_previous_release_is_shown_as_it_is(stored: object) -> None:
    assert Message.from_json(stored) is None
    assert render(stored, EN) == render(stored, FR) == str(stored)
    assert render(None, EN) == ""


def test_places_are_named_never_a_postal_code_alone() -> None:
    assert [render(place(z), EN) for z in ("75001", "75012", "75116", OUTSIDE, UNKNOWN)] == [
        "1st arrondissement",
        "12th arrondissement",
        "16th arrondissement",
        "outside Paris",
        "place unknown",
    ]
    assert [render(place(z), FR) for z in ("75001", "75012", OUTSIDE)] == [
        "Paris 1er",
        "Paris 12e",
        "hors Paris",
    ]
    assert place("hors Paris") == "hors Paris"  # a zone stored by the previous release


def test_arcs_are_named_with_their_place() -> None:
    assert render(arc("Av_Daumesnil", 5419, "75012"), EN) == "Av Daumesnil (12th arrondissement)"
    assert render(arc("", 5419, OUTSIDE), FR) == "tronçon 5419 (hors Paris)"


def test_codes_and_their_words() -> None:
    assert render(word("works_impact", "BARRAGE_TOTAL"), EN) == "full closure"
    assert word("works_impact", "NOUVEAU_CODE") == "NOUVEAU_CODE"  # unknown: as it is
    assert word("level", None) is None
    assert [wmo_kind(c) for c in (0, 3, 61, 95, 120)] == [
        "clear",
        "cloudy",
        "rain",
        "storm",
        "unknown",
    ]
