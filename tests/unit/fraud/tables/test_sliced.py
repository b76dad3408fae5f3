"""A large CSV held on disk in slices gives what the whole read gives (issue 40 item 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.tables.csv_read import read_csv_file
from entrepot.fraud.tables.csv_sliced import sliced_csv_file
from entrepot.fraud.tables.finite import INFINITIES
from entrepot.fraud.tables.io import read_sliced, read_table
from entrepot.fraud.tables.numbers import SAMPLE
from entrepot.fraud.tables.sliced import SlicedTable

#: Rows a slice holds here: past the values the text-numbers check reads.
ROWS = SAMPLE + 100


def _csv(tmp_path: Path, lines: list[str], name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _table(rows: int = 2000) -> list[str]:
    """Ints in the first slices and floats (an empty cell) in a later one, text with
    commas and quotes, codes with leading zeros, an infinite number, missing text."""
    lines = ["id,amount,count,code,city,note,ratio"]
    for i in range(rows):
        count = "" if i == 1500 else str(i % 7)
        ratio = "inf" if i == 55 else "-inf" if i == 1900 else f"{i / 7:.3f}"
        note = "" if i % 11 == 0 else f'"a, ""b"" {i}"'
        lines.append(f"{i},{i * 1.5},{count},{i % 13:04d},city{i % 5},{note},{ratio}")
    return lines


def _sliced(path: Path, rows: int = ROWS) -> SlicedTable:
    found = sliced_csv_file(path, rows=rows, whole_below=0)
    assert isinstance(found, SlicedTable)
    return found


def _whole(path: Path) -> pd.DataFrame:
    return read_table(path)


def test_the_joined_slices_are_the_whole_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, _table())
    whole = _whole(path)
    with _sliced(path) as table:
        assert table.slices == 4 and table.rows == len(whole) == 2000
        joined = table.joined()
        pd.testing.assert_frame_equal(joined, whole, check_exact=True)
        assert joined.attrs[INFINITIES] == whole.attrs[INFINITIES] == {"ratio": 2}
        assert whole["count"].dtype == np.float64  # joined as floats, as pandas joins them
        for name in whole.columns:
            pd.testing.assert_series_equal(table.column(name), whole[name], check_exact=True)
        pd.testing.assert_frame_equal(
            table.columns_of(["ratio", "id"]), whole[["ratio", "id"]], check_exact=True
        )


def test_rows_at_positions_are_the_whole_reads(tmp_path: Path) -> None:
    path = _csv(tmp_path, _table())
    whole = _whole(path)
    positions = np.asarray([0, 1, 55, 599, 600, 1500, 1900, 1999], dtype=np.int64)
    with _sliced(path) as table:
        found = table.rows_at(positions)
        pd.testing.assert_frame_equal(found, whole.iloc[positions], check_exact=True)
        assert found.attrs[INFINITIES] == {"ratio": 2}
        pd.testing.assert_frame_equal(table.head(5), whole.head(5), check_exact=True)


def test_routed_parts_are_the_whole_tables_rows(tmp_path: Path) -> None:
    path = _csv(tmp_path, _table())
    whole = _whole(path)
    rng = np.random.default_rng(0)
    first = [np.flatnonzero(rng.random(len(whole)) < share) for share in (0.3, 0.5, 0.05)]
    second = [np.arange(0, len(whole), 2), np.arange(1, len(whole), 2)]
    cuts = [(first, ["note", "count", "id"]), (second, ["city", "ratio"])]
    with _sliced(path) as table:
        readers = table.route(cuts)
        for reader, (parts, columns) in zip(readers, cuts, strict=True):
            for number, rows in enumerate(parts):
                expected = whole[columns].take(rows)
                pd.testing.assert_frame_equal(reader(number), expected, check_exact=True)
                pd.testing.assert_frame_equal(reader(number), expected, check_exact=True)


def test_a_file_of_one_slice_is_the_whole_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, _table(ROWS - 1))
    found = sliced_csv_file(path, rows=ROWS, whole_below=0)
    assert isinstance(found, pd.DataFrame)
    expected = read_csv_file(path, whole_below=0)
    assert expected is not None
    pd.testing.assert_frame_equal(found, expected, check_exact=True)


@pytest.mark.parametrize(
    "column",
    [
        ["x"] + ["1"] * 2 * ROWS + ["a"] * 10,  # numbers in the first slices, text after
        ["x"] + ["a"] * 20 + [""] * ROWS + ["b"] * 10,  # few text values in the first slice
        ["x"] + ['"1,234.50"'] * 2 * ROWS,  # numbers written as text, with their marks
    ],
    ids=["dtypes-differ", "first-slice-empty", "text-numbers"],
)
def test_slices_that_do_not_give_the_whole_read_read_it_whole(
    tmp_path: Path, column: list[str]
) -> None:
    lines = [f"{i},{value}" if i else f"id,{value}" for i, value in enumerate(column)]
    path = _csv(tmp_path, lines)
    found = sliced_csv_file(path, rows=ROWS, whole_below=0)
    assert isinstance(found, pd.DataFrame)
    expected = read_csv_file(path, whole_below=0)
    assert expected is not None
    pd.testing.assert_frame_equal(found, expected, check_exact=True)


def test_read_sliced_gives_a_table_or_the_whole_read(tmp_path: Path) -> None:
    small = _csv(tmp_path, _table(30), "small.csv")
    found = read_sliced(small)
    assert isinstance(found, pd.DataFrame)  # a small file: read whole, as read_table
    pd.testing.assert_frame_equal(found, read_table(small), check_exact=True)
    parquet = tmp_path / "t.parquet"
    read_table(small).to_parquet(parquet)
    pd.testing.assert_frame_equal(read_sliced(parquet), read_table(parquet), check_exact=True)


def test_closing_the_table_removes_its_slices(tmp_path: Path) -> None:
    path = _csv(tmp_path, _table())
    table = _sliced(path)
    readers = table.route([([np.arange(10)], ["id"])])
    table.close()
    with pytest.raises(OSError, match="closed"):
        table.column("id")
    with pytest.raises(OSError, match="closed"):
        readers[0](0)


def test_the_codes_of_columns_are_the_whole_columns_factorised(tmp_path: Path) -> None:
    """Issue 40 item 3: what cuts a table by entity reads its columns' codes a slice at a
    time, never the whole columns: equal values, equal codes, numbered as the whole
    column's factorisation numbers them (a missing value one code too), four bytes a
    row."""
    path = _csv(tmp_path, _table())
    whole = _whole(path)
    with _sliced(path) as table:
        codes = table.codes_of(["city", "count", "note", "ratio"])
    assert list(codes.columns) == ["city", "count", "note", "ratio"]
    for name in codes.columns:
        expected = pd.factorize(whole[name], use_na_sentinel=False)[0]
        np.testing.assert_array_equal(codes[name].to_numpy(), expected)
        assert codes[name].dtype == np.int32
