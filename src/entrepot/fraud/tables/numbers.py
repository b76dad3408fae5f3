"""Numbers written as text, as spreadsheets and banks export them.

A text column becomes numbers when every value is a number written one way: French
(``1 234,56``: a decimal comma, thousands grouped by a space, a no-break space, a narrow
no-break space or a dot) or English (``1,234.56``), with or without a currency sign or
code before or after it (``12,50 €``, ``$12.50``, ``EUR 12,50``). A ``,``-separated
file is read in English only (its ``"12,5"`` stays text: a comma there is as likely to
list as to count); elsewhere (``;``, tab, ``|``, a spreadsheet) values that read both ways
(``1,234``) are French. A column is converted only when at
least one value shows a convention (a comma, a group or a currency), so codes made of
digits (``00042``) stay text, and only when every value of the column reads, so no value
is silently lost.
"""

from __future__ import annotations

import re

import pandas as pd

_CURRENCY = r"(?:[€$£¥]|EUR|USD|GBP|CHF|CAD|JPY)"
_SPACE = "[ \u00a0\u202f]"
_GROUPS_FR = r"\d{1,3}(?:(?P<g>[ .\u00a0\u202f])\d{3})(?:(?P=g)\d{3})*"
_GROUPS_EN = r"\d{1,3}(?:,\d{3})+"
FRENCH = re.compile(rf"[+-]?(?:{_GROUPS_FR}|\d+)(?:,\d+)?")
ENGLISH = re.compile(rf"[+-]?(?:{_GROUPS_EN}|\d+)(?:\.\d+)?")
_AROUND = re.compile(
    rf"^(?P<sign>[+-]?){_SPACE}*(?:{_CURRENCY}{_SPACE}*)?(?P<number>.*?)(?:{_SPACE}*{_CURRENCY})?$"
)
#: The marks a value shows its convention by, and the French groups' separators, as
#: pandas' string methods are given them: the characters themselves, never ``\u``
#: escapes, which Arrow's regular expressions (RE2, pandas 3.0's) refuse.
MARKS = "[,\u00a0\u202f ]"
GROUP_MARKS = "[ .\u00a0\u202f]"
#: Values of a column checked first, before the whole column is.
SAMPLE = 500


def _bare(values: pd.Series) -> pd.Series:
    """The values without their currency and the spaces around them, the sign kept."""
    parts = values.str.strip().str.extract(_AROUND)
    return parts["sign"].fillna("") + parts["number"].fillna("").str.strip()


def _marked(original: pd.Series, bare: pd.Series) -> bool:
    """Whether some value shows how it is written: a comma, a group or a currency."""
    return bool(
        bare.str.contains(MARKS, regex=True).any()
        or (original.str.strip().str.len() != bare.str.len()).any()
    )


def _reads(bare: pd.Series, pattern: re.Pattern[str]) -> bool:
    return bool(bare.map(lambda v: pattern.fullmatch(v) is not None).all())


def _convention(bare: pd.Series, conventions: tuple[str, ...]) -> str | None:
    """The first of ``conventions`` every value reads in."""
    patterns = {"fr": FRENCH, "en": ENGLISH}
    return next((c for c in conventions if _reads(bare, patterns[c])), None)


def _to_numbers(bare: pd.Series, convention: str) -> pd.Series:
    if convention == "fr":
        digits = bare.str.replace(GROUP_MARKS, "", regex=True).str.replace(",", ".")
    else:
        digits = bare.str.replace(",", "", regex=False)
    return pd.to_numeric(digits, errors="raise")


def text_numbers(
    frame: pd.DataFrame, *, conventions: tuple[str, ...] = ("fr", "en")
) -> pd.DataFrame:
    """``frame`` with its text columns of written numbers as numbers, in the first of
    ``conventions`` (``fr``, ``en``) a column reads in."""
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        present = _present_text(values)
        if present is None or not _may_be_numbers(present, conventions):
            continue
        text = present.astype("str")
        every = _bare(text)
        convention = _convention(every, conventions)
        if convention is None:
            continue
        numbers = pd.Series(float("nan"), index=values.index)
        numbers[present.index] = _to_numbers(every, convention).astype("float64")
        frame.isetitem(position, numbers)
    return frame


def leaves_text(first: pd.DataFrame, conventions: tuple[str, ...] = ("fr", "en")) -> bool:
    """Whether :func:`text_numbers` leaves every column of a table as it is, told from
    ``first``, the table's first rows alone: each text column holds there at least
    :data:`SAMPLE` values, the ones its check reads, and the check refuses them. ``False``
    also where it cannot be told from these rows (read the whole table then)."""
    for position in range(first.shape[1]):
        values = first.iloc[:, position]
        present = _present_text(values)
        if present is None:
            text = pd.api.types.is_string_dtype(values) or values.dtype == object
            if text and values.notna().sum() < SAMPLE:
                return False  # its first values may lie further down
            continue
        if len(present) < SAMPLE or _may_be_numbers(present, conventions):
            return False
    return True


def _present_text(values: pd.Series) -> pd.Series | None:
    """A text column's values that are there, where its first :data:`SAMPLE` of them are
    all text; ``None`` for any other column."""
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        return None
    present = values.dropna()
    if present.empty or not all(isinstance(v, str) for v in present.head(SAMPLE)):
        return None
    return present


def _may_be_numbers(present: pd.Series, conventions: tuple[str, ...]) -> bool:
    """Whether a column's first :data:`SAMPLE` values look like numbers written with a
    mark, in one of the ``conventions`` (the whole column is checked then)."""
    head = present.head(SAMPLE).astype("str")
    bare = _bare(head)
    return _marked(head, bare) and _convention(bare, conventions) is not None
