"""Numbers written as text: French and English groups and decimals, currencies around
them, and what stays text (codes of digits, a column with one value that does not read)."""

from __future__ import annotations

import gzip
import random
import re

import pandas as pd
import pytest

from entrepot.fraud.tables import numbers
from entrepot.fraud.tables.bounds import InflatesTooMuch
from entrepot.fraud.tables.gzipped import gunzip
from entrepot.fraud.tables.numbers import text_numbers
from entrepot.fraud.tables.timeparse import EXCEL, detect_format, parse_times


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("1\u00a0234,56", 1234.56),
        ("1\u202f234,56", 1234.56),
        ("1 234 567,5", 1234567.5),
        ("1.234,56", 1234.56),
        ("12,50\u00a0€", 12.5),
        ("12,50 €", 12.5),
        ("EUR 12,50", 12.5),
        ("-3,20 €", -3.2),
    ],
)
def test_french_numbers(written: str, number: float) -> None:
    frame = text_numbers(pd.DataFrame({"x": [written, "7,00"]}))
    assert frame["x"].tolist() == [number, 7.0]


@pytest.mark.parametrize(
    ("written", "number"),
    [("1,234.56", 1234.56), ("$12.50", 12.5), ("$1,234.56", 1234.56), ("-$3.20", -3.2)],
)
def test_english_numbers(written: str, number: float) -> None:
    frame = text_numbers(pd.DataFrame({"x": [written, "7.00"]}), conventions=("en",))
    assert frame["x"].tolist() == [number, 7.0]


def test_what_reads_both_ways_follows_the_convention() -> None:
    both = pd.DataFrame({"x": ["1,234", "2,500"]})
    assert text_numbers(both.copy())["x"].tolist() == [1.234, 2.5]
    assert text_numbers(both.copy(), conventions=("en",))["x"].tolist() == [1234.0, 2500.0]


@pytest.mark.parametrize(
    "values",
    [
        ["00042", "00107"],  # codes: no comma, group or currency shows a number
        ["12,50", "douze"],  # one value does not read: nothing is lost silently
        ["A 12,50", "B 3,00"],
    ],
)
def test_what_stays_text(values: list[str]) -> None:
    assert text_numbers(pd.DataFrame({"x": values}))["x"].tolist() == values


def test_missing_values_stay_missing() -> None:
    frame = text_numbers(pd.DataFrame({"x": ["1 234,50", None, "3,00"]}))
    assert frame["x"].iloc[0] == 1234.5 and pd.isna(frame["x"].iloc[1])


def test_a_gzip_file_stops_at_its_bound() -> None:
    packed = gzip.compress(random.Random(7).randbytes(4 * 1024 * 1024))  # about 1 to 1
    assert len(gunzip(packed, "b.csv.gz", bound=5 * 1024 * 1024)) == 4 * 1024 * 1024
    with pytest.raises(InflatesTooMuch, match="inflates to more than"):
        gunzip(packed, "b.csv.gz", bound=1024 * 1024)


def test_a_gzip_bomb_is_refused_by_its_ratio_within_the_bound() -> None:
    bomb = gzip.compress(b"0" * (4 * 1024 * 1024))  # about 1000 to 1
    with pytest.raises(InflatesTooMuch, match="at most 200 to 1") as refused:
        gunzip(bomb, "b.csv.gz", bound=5 * 1024 * 1024)
    said = refused.value.said
    assert said is not None and said.key == "fraud.refused.compressed_too_much"
    assert said.params["limit"] == 200 and int(str(said.params["ratio"])) > 200


def test_excel_serial_dates() -> None:
    # 45000 is 2023-03-15 in Excel's 1900 system (day 0 = 1899-12-30); .75 is 18:00
    serials = pd.Series([45000.75, 45001.5, 45002.25])
    assert detect_format(serials) == EXCEL
    assert parse_times(serials, EXCEL).astype("str").tolist() == [
        "2023-03-15 18:00:00",
        "2023-03-16 12:00:00",
        "2023-03-17 06:00:00",
    ]


def test_whole_numbers_in_the_serial_range_are_not_dates() -> None:
    assert detect_format(pd.Series([30000.0, 41000.0, 52000.0])) is None


@pytest.mark.parametrize("pattern", [numbers.MARKS, numbers.GROUP_MARKS])
def test_the_patterns_given_to_pandas_read_in_arrows_regular_expressions(pattern: str) -> None:
    """Regression: written ``r"[,\\u00a0…]"``, the patterns reached Arrow's RE2 with
    ``\\u`` escapes, which it refuses (pandas 3.0 sends them there: every training of a
    table with a text column failed with "invalid escape sequence")."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(["1\u202f234,5", "12.5", "1\u00a0234", "7"])
    found = pc.match_substring_regex(values, pattern).to_pylist()
    assert found == [re.search(pattern, v) is not None for v in values.to_pylist()]
    assert found[0] and found[2]
