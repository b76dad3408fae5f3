"""A table cut by its own entities a slice at a time (issue 40 item 3; ADR 0137): the same
parts, row for row, as the cut of the whole table's codes, whatever the slices, the
values (text, numbers, missing ones) and the columns linked; never a code a row held."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score import sliced_cut
from entrepot.fraud.score.partitions import cut_by_entity
from entrepot.fraud.score.parts_on_disk import PartsOnDisk
from entrepot.fraud.score.sliced_cut import cut_in_slices
from entrepot.fraud.tables.piece_codes import piece_codes


class _Sliced:
    """A table in memory read as a table on disk in slices is: a slice at a time."""

    def __init__(self, frame: pd.DataFrame, starts: Sequence[int]) -> None:
        self.frame, self.starts, self.rows = frame, tuple(starts), len(frame)
        self.read: list[int] = []  # the rows of each slice read, in order

    def pieces(self, names: Sequence[str]) -> Iterator[pd.DataFrame]:
        for start, end in zip(self.starts, self.starts[1:], strict=False):
            self.read.append(end - start)
            yield self.frame.iloc[start:end][list(names)]

    def codes_of(self, names: Sequence[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {n: piece_codes((p[n] for p in self.pieces([n])), self.rows) for n in names}
        )


def _frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    card = rng.integers(0, 60, rows).astype(str).astype(object)
    card[rng.random(rows) < 0.05] = None  # a missing value is a value too
    customer = rng.integers(0, 300, rows).astype(float)
    customer[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame({"card": card, "customer": customer, "terminal": rng.integers(5, 40, rows)})


def _starts(rows: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed + 100)
    inner = sorted(set(rng.integers(1, rows, 4).tolist())) if rows > 1 else []
    return [0, *inner, rows]


def _same(found: PartsOnDisk, whole: PartsOnDisk, slices: int) -> None:
    assert len(found) == len(whole)
    for number in range(len(whole)):
        assert found[number].rows.dtype == whole[number].rows.dtype
        np.testing.assert_array_equal(found[number].rows, whole[number].rows)
        np.testing.assert_array_equal(found[number].own, whole[number].own)
        for piece in range(slices):
            np.testing.assert_array_equal(
                found.in_slice(number, piece), whole.in_slice(number, piece)
            )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("parts", [1, 3, 8, 300])
@pytest.mark.parametrize(
    "columns",
    [["card"], ["customer"], ["terminal"], ["card", "customer"], ["customer", "card", "terminal"]],
)
def test_the_parts_are_the_whole_cuts_row_for_row(
    seed: int, parts: int, columns: list[str]
) -> None:
    rows = 700
    table = _Sliced(_frame(rows, seed), _starts(rows, seed))
    whole = PartsOnDisk(
        cut_by_entity(table.codes_of(columns), columns, [], parts, coded=True), table.starts
    )
    with cut_in_slices(table, columns, parts) as found, whole:
        _same(found, whole, len(table.starts) - 1)
        assert sum(found.size(n) for n in range(len(found))) == rows  # every row once


def test_a_value_in_two_slices_keeps_its_part_and_links_join_across_slices() -> None:
    # the card "x" links customers 1 and 2 only through rows in different slices
    frame = pd.DataFrame({"card": ["x", "y", "x", "z", "y"], "customer": [1, 2, 2, 3, 9]})
    table = _Sliced(frame, [0, 1, 3, 5])
    with cut_in_slices(table, ["card", "customer"], 64) as found:
        together = [set(found[n].rows.tolist()) for n in range(len(found))]
    assert {0, 1, 2, 4} in together  # x-1, x-2, y-2, y-9: one group
    assert any(3 in rows for rows in together)


def test_no_code_a_row_of_the_table_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    # every array the cut hashes is one slice's: the hash is what sees each row's group
    seen: list[int] = []
    hashed = sliced_cut.group_parts

    def counted(groups: np.ndarray, parts: int) -> np.ndarray:
        seen.append(len(groups))
        return hashed(groups, parts)

    monkeypatch.setattr(sliced_cut, "group_parts", counted)
    for columns in (["card"], ["card", "customer"]):
        seen.clear()
        table = _Sliced(_frame(900, 1), [0, 300, 600, 900])
        with cut_in_slices(table, columns, 4) as found:
            assert len(found)
        assert seen == [300, 300, 300]
        # the table read once: several columns' second pass reads their codes kept on disk
        assert table.read == [300] * 3


def test_an_empty_table_has_no_part_and_no_column_is_refused() -> None:
    empty = _Sliced(_frame(0, 0), [0, 0])
    for columns in (["card"], ["card", "customer"]):
        with cut_in_slices(empty, columns, 4) as found:
            assert len(found) == 0
    with pytest.raises(ValueError, match="at least one"):
        cut_in_slices(empty, [], 4)


@pytest.mark.parametrize("packed_below", [1 << 31, 3])
def test_the_links_are_the_same_packed_or_sorted_by_rows(
    monkeypatch: pytest.MonkeyPatch, packed_below: int
) -> None:
    """Two codes are packed in one 64-bit number to find the distinct links, which holds
    under 2**31 values a column; past it (a table of billions of rows) the links are
    sorted as rows: the same parts either way."""
    monkeypatch.setattr(sliced_cut, "PACKED_BELOW", packed_below)
    columns = ["card", "customer", "terminal"]
    table = _Sliced(_frame(700, 3), _starts(700, 3))
    whole = PartsOnDisk(
        cut_by_entity(table.codes_of(columns), columns, [], 8, coded=True), table.starts
    )
    with cut_in_slices(table, columns, 8) as found, whole:
        _same(found, whole, len(table.starts) - 1)


@pytest.mark.parametrize("high", [50, 1 << 40])
def test_each_link_is_kept_once_whatever_its_codes(high: int) -> None:
    rng = np.random.default_rng(high % 97)
    pairs = rng.integers(0, high, (4_000, 2))
    pairs[1::3] = pairs[::3][: len(pairs[1::3])]  # repeated links
    found = sliced_cut._distinct(pairs)
    expected = sorted({(int(a), int(b)) for a, b in pairs})
    assert [tuple(row) for row in found.tolist()] == expected
    assert found.dtype == np.int64 and found.shape == (len(expected), 2)
