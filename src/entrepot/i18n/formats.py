"""Numbers, percents, dates and sizes as each language writes them (CLDR, through Babel):
``12 345,6`` and ``0,8 %`` with narrow no-break spaces in French, ``12,345.6`` and ``0.8%``
in English; sizes in one unit style per language (``1,8 Mio``, ``1.8 MiB``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import cache, lru_cache
from math import isfinite
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import NumberPattern, parse_pattern

from entrepot.sizes import size_parts

#: What a missing value shows.
MISSING = "–"
NBSP = "\u00a0"
#: The day of the month in a CLDR date pattern (``d``, not ``dd`` nor quoted text).
_FIRST = re.compile(r"(?<![d'])d(?![d'])")
#: Binary units as each language names them (French counts in octets).
SIZE_UNITS = {
    "en": {"B": "B", "KiB": "KiB", "MiB": "MiB", "GiB": "GiB", "TiB": "TiB"},
    "fr": {"B": "o", "KiB": "Kio", "MiB": "Mio", "GiB": "Gio", "TiB": "Tio"},
}


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _pattern(lang: str, kind: str, digits: int) -> NumberPattern:
    """The locale's decimal or percent pattern with exactly ``digits`` decimals."""
    locale = _locale(lang)
    base = locale.percent_formats[None] if kind == "percent" else locale.decimal_formats[None]
    pattern = parse_pattern(base.pattern)
    pattern.frac_prec = (digits, digits)
    if lang == "fr":  # French typography: a narrow no-break space before "%", as between thousands
        positive, negative = (s.replace(NBSP, "\u202f") for s in pattern.suffix)
        pattern.suffix = (positive, negative)
    return pattern


@lru_cache(maxsize=65536)
def _decimal_text(lang: str, digits: int, exact: float | Decimal) -> str:
    """A rounded number in ``lang``'s words (cached: a scored file's explanations write the
    same few rounded ratios thousands of times, and Babel takes 40 µs for each). A finite
    number where the locale's pattern groups by threes with no prefix or suffix but its
    minus (English, French) is written by Python's own grouping with the locale's symbols
    from CLDR: Babel's text for every such number (``tests/unit/i18n/test_formats.py``), in
    a tenth of its time (a scored file's amounts are each a new number)."""
    symbols = _plain_symbols(lang)
    if symbols is not None and isinstance(exact, Decimal) and exact.is_finite():
        group, point, minus = symbols
        text = format(exact.copy_abs(), f",.{digits}f")
        text = text.translate({ord(","): group, ord("."): point})
        return minus + text if exact.is_signed() else text
    return str(_pattern(lang, "decimal", digits).apply(exact, _locale(lang)))


def _rounded(number: float, digits: int) -> Decimal:
    """``number`` (finite) rounded half-even to ``digits`` decimals from its exact value;
    beyond the default context's 28 digits (``1e27`` to two decimals), in a context wide
    enough for any float (a user's file may hold such a number: it raised
    ``InvalidOperation``, a server error on a page)."""
    step = Decimal(1).scaleb(-digits)
    try:
        return Decimal(number).quantize(step, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        wide = Context(prec=_WIDE + max(digits, 0))
        return Decimal(number).quantize(step, rounding=ROUND_HALF_EVEN, context=wide)


#: Digits of the largest float's integer part, and some.
_WIDE = 320


@cache
def _plain_symbols(lang: str) -> tuple[str, str, str] | None:
    """``lang``'s group separator, decimal point and minus, where its decimal pattern is
    plain (grouped by threes, no prefix or suffix but the minus); else ``None``."""
    pattern = _pattern(lang, "decimal", 0)
    if (
        pattern.grouping != (3, 3)
        or pattern.prefix != ("", "-")
        or pattern.suffix != ("", "")
        or pattern.scale != 0
        or pattern.exp_prec is not None
        or pattern.int_prec[0] != 1
    ):
        return None
    symbols = _locale(lang).number_symbols["latn"]
    return symbols["group"], symbols["decimal"], symbols["minusSign"]


@dataclass(frozen=True)
class Formats:
    """The formatters of one language (``en`` or ``fr``); ``None`` shows as ``–``."""

    lang: str

    def number(self, value: Any, digits: int = 0) -> str:
        """``12345.6`` -> ``12 345,6`` (fr) or ``12,345.6`` (en)."""
        if value is None:
            return MISSING
        number = float(value)
        exact: float | Decimal = number
        if isfinite(number):  # rounded from the float's exact value, as round() does:
            # Babel would round its shortest text half-even (19.905 -> 19.90, for 19.90500...1)
            exact = _rounded(number, digits)
            if not exact:  # a number rounded to zero is "0", never "-0" (nor, cached
                exact = exact.copy_abs()  # beside 0, one or the other by the calls' order)
        return _decimal_text(self.lang, digits, exact)

    def percent(self, value: Any, digits: int = 1) -> str:
        """A share: ``0.008`` -> ``0,8 %`` (fr) or ``0.8%`` (en)."""
        if value is None:
            return MISSING
        return str(_pattern(self.lang, "percent", digits).apply(float(value), _locale(self.lang)))

    def size(self, value: Any) -> str:
        """Bytes: ``1887437`` -> ``1,8 Mio`` (fr) or ``1.8 MiB`` (en)."""
        if value is None:
            return MISSING
        amount, unit = size_parts(int(value))
        digits = 0 if amount == int(amount) else 1
        units = SIZE_UNITS.get(self.lang, SIZE_UNITS["en"])
        return f"{self.number(amount, digits)}{NBSP}{units[unit]}"

    def ordinal_form(self, value: int) -> str:
        """CLDR's ordinal category of ``value`` (``one``, ``two``, ``few``, ``other``): the
        message key of ``1st``/``2nd``/``3rd``/``4th`` or ``1er``/``2e``."""
        return str(_locale(self.lang).ordinal_form(value))

    def day(self, value: date | None, style: str = "full") -> str:
        """A day: ``mardi 4 novembre 2025`` (fr, full), ``Tuesday, November 4, 2025``; the
        first of the month in French is ``1er`` (``samedi 1er novembre 2025``)."""
        if value is None:
            return MISSING
        locale = _locale(self.lang)
        pattern = str(locale.date_formats[style].pattern)
        if self.lang == "fr" and value.day == 1 and "MMMM" in pattern:
            pattern = _FIRST.sub("d'er'", pattern)  # « 1er novembre », not « 1 novembre »
        return format_date(value, format=pattern, locale=locale)

    def moment(self, value: datetime | None) -> str:
        """A time in UTC: ``4 nov. 2025, 14:05 UTC`` (fr), ``Nov 4, 2025, 14:05 UTC``."""
        if value is None:
            return MISSING
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value, locale = value.astimezone(UTC), _locale(self.lang)
        day = format_date(value, format="medium", locale=locale)
        clock = format_skeleton("Hm", value, locale=locale)  # 24 h in both languages
        return str(locale.datetime_formats["medium"]).format(clock, day) + " UTC"

    def wall_clock(self, value: datetime | None) -> str:
        """A time as a file writes it, with no zone (a transaction's time): ``4 nov. 2025,
        14:05:09`` (fr), ``Nov 4, 2025, 14:05:09`` (en); 24 h in both languages."""
        if value is None:
            return MISSING
        locale = _locale(self.lang)
        day = format_date(value, format="medium", locale=locale)
        clock = format_skeleton("Hms", value, locale=locale)
        return str(locale.datetime_formats["medium"]).format(clock, day)
