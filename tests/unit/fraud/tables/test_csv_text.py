"""The CSV made in Arrow is pandas' ``to_csv`` byte for byte, and where it cannot be it
says so (the caller writes with pandas)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from entrepot.fraud.tables.csv_text import csv_blocks
from entrepot.fraud.tables.io import write_table

#: Text that quoting must get right: the separator, quotes, both line breaks, spaces,
#: the empty text, a semicolon, accents and a character beyond the BMP.
_TRICKY = st.sampled_from(
    ["", " ", ",", '"', '""', "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "crlf\r\nx",
     " lead", "trail ", ";", "é", "😀", "=1+1", "plain", "0042", "1e5", "NaN", "None"]
)  # fmt: skip
_TEXT = st.one_of(_TRICKY, st.text(max_size=8), st.none())


def _pandas(frame: pd.DataFrame) -> bytes:
    text: str = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8")


def _arrow(frame: pd.DataFrame, block_rows: int = 3) -> bytes:
    blocks = csv_blocks(frame, "\r\n", block_rows=block_rows)
    assert blocks is not None
    return b"".join(bytes(block) for block in blocks)


@st.composite
def _frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 12))
    text = draw(st.lists(_TEXT, min_size=rows, max_size=rows))
    floats = draw(
        hnp.arrays(np.float64, rows, elements=st.floats(allow_nan=True, allow_infinity=True))
    )
    ints = draw(hnp.arrays(np.int64, rows, elements=st.integers(-(2**63), 2**63 - 1)))
    flags = draw(hnp.arrays(np.bool_, rows))
    name = draw(st.one_of(_TRICKY, st.just("explanation")).filter(lambda n: n != "row"))
    frame = pd.DataFrame(
        {
            "row": ints,
            "p": floats,
            name: pd.Series(text, dtype=object),
            "flag": flags,
            "level": pd.Series(text[::-1], dtype="str"),
            "note": pd.Series(text, dtype="string[python]"),
        }
    )
    return frame


@settings(max_examples=300, deadline=None)
@given(_frames())
def test_the_bytes_are_pandas_bytes(frame: pd.DataFrame) -> None:
    assert _arrow(frame) == _pandas(frame)


@pytest.mark.parametrize("block_rows", [1, 2, 1000])
def test_blocks_of_any_size_join_to_the_same_bytes(block_rows: int) -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "p": rng.beta(0.3, 5.0, 2_000),
            "risk": rng.choice(["low", "high", 'a "b", c'], 2_000),
            "n": rng.integers(0, 9, 2_000).astype(np.int32),
            "u": rng.integers(0, 9, 2_000).astype(np.uint8),
        }
    )
    assert _arrow(frame, block_rows) == _pandas(frame)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": ["", "a"]}),  # a lone empty field is written ""
        pd.DataFrame({"a": [1, 2], 3: ["x", "y"]}),  # a name that is not text
        pd.DataFrame({"a": [1, 2], "when": pd.to_datetime(["2024-01-01", "2024-01-02"])}),
        pd.DataFrame({"a": [1, 2], "f": np.array([0.5, 1.5], dtype=np.float32)}),
        pd.DataFrame({"a": [1, 2], "mixed": pd.Series(["x", 1], dtype=object)}),
        pd.DataFrame({"a": [1, 2], "cat": pd.Categorical(["x", "y"])}),
        pd.DataFrame({"a": [1, 2], "n": pd.array([1, None], dtype="Int64")}),
    ],
    ids=["lone-column", "name-not-text", "datetime", "float32", "mixed", "category", "Int64"],
)
def test_columns_it_cannot_make_are_left_to_pandas(frame: pd.DataFrame) -> None:
    assert csv_blocks(frame) is None


def test_write_table_writes_pandas_bytes_either_way(tmp_path: Path) -> None:
    made_here = pd.DataFrame({"p": [0.25, np.nan, 1e-7], "why": ['x, "y"', None, "=cmd"]})
    by_pandas = made_here.assign(when=pd.to_datetime(["2024-01-01"] * 3))
    for frame in (made_here, by_pandas):
        out = write_table(frame, tmp_path / "out.csv")
        expected = frame.assign(why=['x, "y"', None, "'=cmd"])  # formulas neutralised
        assert out.read_bytes() == _pandas(expected)


@pytest.mark.parametrize("block_rows", [1, 2, 3, 5, 100])
def test_a_text_column_held_in_several_pieces_is_written(block_rows: int) -> None:
    # A text column read in blocks (a CSV of 100,000 rows and more) is held by Arrow in
    # several pieces; a block of rows across two of them made its lines in two pieces,
    # and `fraud score` of such a file ended in "unexpected failure" (no `buffers`).
    parts = [
        pd.DataFrame({"note": ["a,b", "plain"], "n": [1, 2]}),
        pd.DataFrame({"note": ['say "hi"', None, "é"], "n": [3, 4, 5]}),
        pd.DataFrame({"note": ["last"], "n": [6]}),
    ]
    frame = pd.concat(parts, ignore_index=True)
    assert frame["note"].array._pa_array.num_chunks == 3  # the case itself
    assert _arrow(frame, block_rows) == _pandas(frame)


def test_a_float_column_equal_to_another_bit_for_bit_shares_its_text_only_then() -> None:
    """A one-model ensemble writes its member's score beside the same probability: the text
    is made once for both; a column equal as numbers but not in its bits (``-0.0``, another
    NaN) or equal in one block only is made on its own, pandas' bytes either way."""
    import entrepot.fraud.tables.csv_text as csv_text

    p = np.random.default_rng(4).random(10)
    p[2], p[5] = 0.0, np.nan
    signed = p.copy()
    signed[2] = -0.0
    partly = p.copy()
    partly[7] = 0.5
    frame = pd.DataFrame({"p": p, "score_m": p.copy(), "signed": signed, "partly": partly})
    made: list[int] = []
    original = csv_text._column

    def counted(column: pd.Series) -> object:
        made.append(len(column))
        return original(column)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_text, "_column", counted)
        assert _arrow(frame, block_rows=5) == _pandas(frame)
    # per block of 5: p, signed (first block), and partly (second block) made; score_m never
    assert made == [5, 5, 5, 5]


@pytest.mark.parametrize("dtype", [object, "string"])
@pytest.mark.parametrize("at", [0, 6, 50, 99])
def test_a_text_column_is_quoted_where_one_value_of_one_block_needs_it(dtype: str, at: int) -> None:
    """Regression (issue 40 item 3): a text column is quoted value by value only where its
    bytes hold a quoted character at all (matching every value cost a scored file's risk
    levels 0.3 CPU-s at 5M rows); the one value in any block, at any offset, still is."""
    values = ["low"] * 100
    values[at] = 'a,"b"'
    frame = pd.DataFrame({"risk": pd.Series(values, dtype=dtype), "n": np.arange(100)})
    for block_rows in (7, 1 << 17):
        assert _arrow(frame, block_rows) == _pandas(frame)
    plain = frame.assign(risk=pd.Series(["low", "high"] * 50, dtype=dtype))
    assert _arrow(plain, 7) == _pandas(plain)
