"""Rows made in one cut of a table, held on disk until the part of another cut that reads
them asks for its own (``entrepot.routed_rows``, ADR 0119): each part gets its rows, in
its order, bit for bit; a row missing or given twice is an error; a full disk keeps them
in memory; a file cut short is an error, never zeros."""

from __future__ import annotations

import io
import tempfile

import numpy as np
import pytest

from entrepot.routed_rows import RoutedRows
from tests.support.disks import FullTemporaryFile, opened_temporary_files


def _cut(rows: int, parts: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each row's part, and each part's rows in its order (a shuffled order, as a part's
    own rows need not follow the table's, but for the first part: the table's, as every
    cut's parts)."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, parts, rows)
    members = []
    for part in range(parts):
        mine = np.flatnonzero(owner == part)
        members.append(mine if part == 0 else rng.permutation(mine))
    return owner, members


def _values(rows: int, width: int, seed: int) -> np.ndarray:
    values = np.random.default_rng(seed).normal(size=(rows, width))
    values[::5, 0] = np.nan
    values[1::9, width - 1] = -0.0
    return values


@pytest.mark.parametrize(("parts", "width", "blocks"), [(1, 3, 1), (3, 6, 4), (8, 1, 7)])
def test_each_part_gets_its_rows_in_its_order_bit_for_bit(
    parts: int, width: int, blocks: int
) -> None:
    owner, members = _cut(5_000, parts, seed=parts)
    values = _values(5_000, width, seed=width)
    with RoutedRows(owner, parts, width) as routed:
        for block in np.array_split(np.random.default_rng(2).permutation(5_000), blocks):
            routed.put(block, values[block])
        assert routed.on_disk
        for part, mine in enumerate(members):
            assert routed.part(part, mine).tobytes() == values[mine].tobytes()


def test_the_rows_are_on_disk_not_in_memory() -> None:
    owner, _ = _cut(2_000, 2, seed=3)
    values = _values(2_000, 4, seed=4)
    with RoutedRows(owner, 2, 4) as routed:
        routed.put(np.arange(2_000), values)
        held = routed._held
        assert held is not None
        held.seek(0, io.SEEK_END)
        assert held.tell() == 2_000 * (8 + 4 * 8)  # each row: its position, then its values
    assert held.closed


def test_a_row_never_given_is_an_error() -> None:
    owner, members = _cut(1_000, 2, seed=5)
    values = _values(1_000, 2, seed=6)
    with RoutedRows(owner, 2, 2) as routed:
        routed.put(np.arange(999), values[:999])
        missing = int(owner[999])
        with pytest.raises(ValueError, match="1 rows of part"):
            routed.part(missing, members[missing])
        assert (
            routed.part(1 - missing, members[1 - missing]).tobytes()
            == values[members[1 - missing]].tobytes()
        )


def test_a_row_given_twice_is_an_error() -> None:
    owner, members = _cut(1_000, 2, seed=7)
    values = _values(1_000, 2, seed=8)
    with RoutedRows(owner, 2, 2) as routed:
        routed.put(np.arange(1_000), values)
        routed.put(np.array([3]), values[[3]])
        with pytest.raises(ValueError, match="given twice"):
            routed.part(int(owner[3]), members[int(owner[3])])


def test_a_full_disk_keeps_the_rows_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: FullTemporaryFile())
    owner, members = _cut(3_000, 3, seed=9)
    values = _values(3_000, 5, seed=10)
    with RoutedRows(owner, 3, 5) as routed:
        routed.put(np.arange(3_000), values)
        assert not routed.on_disk
        values[:] = 0.0  # the caller's array reused: the rows kept are copies
        expected = _values(3_000, 5, seed=10)
        for part, mine in enumerate(members):
            assert routed.part(part, mine).tobytes() == expected[mine].tobytes()


def test_a_file_cut_short_is_an_error_never_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = opened_temporary_files(monkeypatch)
    owner, members = _cut(1_000, 1, seed=11)
    with RoutedRows(owner, 1, 3) as routed:
        routed.put(np.arange(1_000), _values(1_000, 3, seed=12))
        opened[0].truncate(1_000 * 8 + 100)
        with pytest.raises(OSError, match="cut short"):
            routed.part(0, members[0])


def test_sealed_rows_let_go_of_where_each_goes_and_still_read_back() -> None:
    """Issue 40 item 3: once every row is given, the owners (a byte a row
    of the table) are let go, not held while every part is read back; a row put after is
    an error, never routed nowhere."""
    import gc
    import weakref

    owner, members = _cut(3_000, 3, seed=5)
    values = _values(3_000, 2, seed=6)
    with RoutedRows(owner, 3, 2) as routed:
        routed.put(np.arange(3_000), values)
        watched = [weakref.ref(owner)]
        del owner
        gc.collect()
        assert all(ref() is not None for ref in watched)  # held until sealed
        routed.seal()
        gc.collect()
        assert all(ref() is None for ref in watched)
        for part, mine in enumerate(members):
            assert routed.part(part, mine).tobytes() == values[mine].tobytes()
        with pytest.raises(ValueError, match="sealed"):
            routed.put(np.arange(2), values[:2])


def test_the_owners_are_counted_without_a_copy_of_each_in_eight_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (issue 40 item 3): the parts' sizes were counted with one ``bincount`` of
    every owner, which copies them to eight bytes each (160 MB at 20M rows, the peak of a
    scoring's counterparty step); counted a slice at a time, the same sizes."""
    import tracemalloc

    from entrepot import routed_rows

    rows, parts = 400_000, 7
    owner = np.random.default_rng(1).integers(0, parts, rows).astype(np.uint8)
    expected = np.bincount(owner, minlength=parts)
    monkeypatch.setattr(routed_rows, "COUNT_ROWS", 1 << 14)
    tracemalloc.start()
    try:
        with RoutedRows(owner, parts, 2) as routed:
            peak = tracemalloc.get_traced_memory()[1]
            np.testing.assert_array_equal(routed._sizes, expected)
    finally:
        tracemalloc.stop()
    assert peak < rows  # a byte a row would be the owners themselves again
    with pytest.raises(ValueError, match="of 7 parts"):
        routed_rows.part_sizes(np.asarray([0, 9], dtype=np.uint8), parts)


def test_a_part_read_with_rows_it_does_not_own_is_an_error_never_misplaced() -> None:
    """Each row's place in its part is found as the part is read back (issue 40 item 3:
    four bytes a row of the table no longer held while the blocks are made): rows that
    are not the part's, or fewer of them, are an error."""
    owner, members = _cut(1_000, 2, seed=13)
    values = _values(1_000, 2, seed=14)
    with RoutedRows(owner, 2, 2) as routed:
        routed.put(np.arange(1_000), values)
        others = members[1].copy()
        others[0] = members[0][0]  # a row of the other part
        with pytest.raises(ValueError, match="does not read"):
            routed.part(1, others)
        with pytest.raises(ValueError, match="owns"):
            routed.part(1, members[1][1:])
        ordered = np.sort(members[1])  # any order of the part's rows: read back in it
        assert routed.part(1, ordered).tobytes() == values[ordered].tobytes()
