"""Numbers, percents, sizes and dates as each language writes them (CLDR through Babel),
and the language of a request from the switch or ``Accept-Language``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from entrepot.i18n import Formats, negotiate

NNBSP, NBSP = "\u202f", "\u00a0"
FR, EN = Formats("fr"), Formats("en")


def test_numbers() -> None:
    assert FR.number(12345.678, 1) == f"12{NNBSP}345,7"
    assert EN.number(12345.678, 1) == "12,345.7"
    assert FR.number(3) == EN.number(3) == "3"
    assert FR.number(None) == "–"


@pytest.mark.parametrize("lang", ["en", "fr", "de", "hi"])
def test_numbers_are_babels_text_for_every_value(lang: str) -> None:
    """Regression (issue 40 item 3): the explanations' amounts cost Babel 40 µs each (a
    scored file's 10,000 explanations, 0.5 CPU-s); a plain pattern's numbers are written
    by Python's grouping with the locale's symbols, Babel's text for each, and a locale
    grouped otherwise (Hindi) is Babel's own."""
    import random
    from decimal import ROUND_HALF_EVEN, Decimal

    from babel.core import Locale

    from entrepot.i18n.formats import _decimal_text, _pattern

    rng = random.Random(lang)
    values = [0.0, 0.5, -0.5, 2.5, 999.995, 1e15, -1234567.891, 5e-324, -1e20]
    values += [rng.uniform(-1e9, 1e9) for _ in range(300)]
    values += [rng.uniform(-2, 2) for _ in range(300)]
    for digits in range(5):
        for value in values:
            exact = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
            exact = exact if exact else exact.copy_abs()  # as Formats.number gives it
            babel = str(_pattern(lang, "decimal", digits).apply(exact, Locale.parse(lang)))
            assert _decimal_text(lang, digits, exact) == babel, (value, digits)
    assert Formats(lang).number(float("inf")) == str(
        _pattern(lang, "decimal", 0).apply(float("inf"), Locale.parse(lang))
    )


def test_a_number_beyond_28_digits_is_written_not_refused() -> None:
    """Regression: a number of more than 28 digits once rounded (``1e27`` to two decimals,
    any float up to ``1.8e308``) raised ``decimal.InvalidOperation`` from the default
    context: a user's file holding one failed the page that showed it."""
    assert EN.number(1e27, 2) == "1,000,000,000,000,000,013,287,555,072.00"
    assert FR.number(-1e27) == "-1 000 000 000 000 000 013 287 555 072"
    largest = EN.number(1.7976931348623157e308)
    assert largest.startswith("179,769,313,486,231,570,") and len(largest.replace(",", "")) == 309
    assert EN.number(12345.678, 1) == "12,345.7"  # within 28 digits: as before


def test_a_number_rounded_to_zero_has_no_sign_whatever_came_before() -> None:
    """Regression: ``-0.4`` showed ``-0`` or ``0`` by whichever of it and ``0`` was
    written first (one cache entry for both zeros)."""
    for first, second in ((-0.4, 0.0), (0.0, -0.3), (-0.001, 0.001)):
        for lang in (FR, EN):
            assert lang.number(first) == lang.number(second) == "0"
    assert EN.number(-0.001, 2) == EN.number(0.0, 2) == "0.00"
    assert FR.number(0.0, 2) == FR.number(-0.004, 2) == "0,00"


def test_percents() -> None:
    assert FR.percent(0.008) == f"0,8{NNBSP}%"
    assert EN.percent(0.008) == "0.8%"
    assert FR.percent(0.12346, 2) == f"12,35{NNBSP}%"
    assert EN.percent(None) == "–"


@pytest.mark.parametrize(
    ("size", "fr", "en"),
    [
        (12, "12 o", "12 B"),
        (1536, "1,5 Kio", "1.5 KiB"),
        (1887437, "1,8 Mio", "1.8 MiB"),
        (100 * 1024**2, "100 Mio", "100 MiB"),
        (3 * 1024**4, "3 Tio", "3 TiB"),
    ],
)
def test_sizes_one_unit_style_per_language(size: int, fr: str, en: str) -> None:
    assert FR.size(size) == fr.replace(" ", NBSP)
    assert EN.size(size) == en.replace(" ", NBSP)


def test_dates_and_times() -> None:
    assert FR.day(date(2025, 11, 4)) == "mardi 4 novembre 2025"
    assert EN.day(date(2025, 11, 4)) == "Tuesday, November 4, 2025"
    assert FR.day(date(2025, 11, 4), "long") == "4 novembre 2025"
    moment = datetime(2025, 11, 4, 14, 5, tzinfo=UTC)
    assert FR.moment(moment) == "4 nov. 2025, 14:05 UTC"
    assert EN.moment(moment) == "Nov 4, 2025, 14:05 UTC"
    assert EN.moment(datetime(2025, 11, 4, 14, 5)) == "Nov 4, 2025, 14:05 UTC"  # naive = UTC
    assert FR.moment(None) == FR.day(None) == "–"


def test_the_first_of_the_month_is_1er_in_french_when_the_month_is_written() -> None:
    first = date(2025, 11, 1)
    assert FR.day(first) == "samedi 1er novembre 2025"
    assert FR.day(first, "long") == "1er novembre 2025"
    assert FR.day(first, "medium") == "1 nov. 2025"  # abbreviated: as CLDR writes it
    assert FR.day(first, "short") == "01/11/2025"
    assert FR.day(date(2025, 11, 11), "long") == "11 novembre 2025"  # only the first
    assert EN.day(first, "long") == "November 1, 2025"


def test_ordinal_forms() -> None:
    assert [EN.ordinal_form(n) for n in (1, 2, 3, 4, 11, 21)] == [
        "one",
        "two",
        "few",
        "other",
        "other",
        "one",
    ]
    assert [FR.ordinal_form(n) for n in (1, 2, 11)] == ["one", "other", "other"]


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        (None, "fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        (None, "de-DE,de;q=0.9,fr;q=0.5", "fr"),
        (None, "en-GB,fr;q=0.9", "en"),
        (None, "fr;q=0, en", "en"),
        (None, "fr;q=0.5, en;q=0.8", "en"),
        (None, "fr, en", "fr"),  # equal weights: the first listed wins
        (None, "de, *", "en"),
        (None, "fr;q=oops, en;q=0.1", "en"),
        (None, None, "en"),
        ("fr", "en", "fr"),  # the switch wins over the browser
        ("de", "fr", "fr"),  # an unknown choice is ignored
    ],
)
def test_negotiation(chosen: object, header: str | None, expected: str) -> None:
    assert negotiate(chosen, header, ("en", "fr"), "en") == expected
