"""A table's parts held on disk until each is asked for (``entrepot.spilled_parts``, ADR
0123): each part comes back as it was put, its dtypes with it, as often as asked; on disk,
not in memory; a full disk keeps them in memory; a file cut short is an error, never a
part."""

from __future__ import annotations

import io
import tempfile

import numpy as np
import pandas as pd
import pytest

from entrepot.spilled_parts import SpilledParts
from tests.support.disks import FullTemporaryFile, opened_temporary_files


def _part(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer": rng.integers(0, 50, rows),
            "amount": rng.normal(size=rows),
            "text": pd.array([f"t{i}" if i % 7 else None for i in range(rows)], dtype="str"),
            "mixed": np.array([i if i % 2 else str(i) for i in range(rows)], dtype=object),
            "when": pd.to_datetime(rng.integers(0, 10**9, rows), unit="s"),
            "count": pd.array([None if i % 5 == 0 else i for i in range(rows)], dtype="Int64"),
        },
        index=rng.permutation(rows) + 1_000,
    )


def test_each_part_comes_back_as_it_was_put_in_any_order() -> None:
    parts = [_part(300 + i, seed=i) for i in range(4)]
    with SpilledParts[pd.DataFrame]() as spilled:
        numbers = [spilled.put(part) for part in parts]
        assert numbers == [0, 1, 2, 3] and len(spilled) == 4 and spilled.on_disk
        for number in (2, 0, 3, 1):
            pd.testing.assert_frame_equal(spilled.take(number), parts[number], check_exact=True)


def test_the_parts_are_on_disk_and_the_file_goes_on_leaving() -> None:
    with SpilledParts[pd.DataFrame]() as spilled:
        spilled.put(_part(2_000, seed=1))
        held = spilled._file
        assert held is not None
        held.seek(0, io.SEEK_END)
        assert held.tell() > 2_000 * 8 * 3  # the part's bytes, not a reference to it
    assert held.closed


def test_a_part_can_be_read_again() -> None:
    """Regression: a pool of workers asks for an item again where a worker was lost with
    its input (``DaskPool.run``); a part read once must come back the same."""
    part = _part(50, seed=2)
    with SpilledParts[pd.DataFrame]() as spilled:
        spilled.put(part)
        first = spilled.take(0)
        pd.testing.assert_frame_equal(spilled.take(0), first, check_exact=True)
        pd.testing.assert_frame_equal(first, part, check_exact=True)


def test_a_part_read_after_the_file_is_closed_is_an_error() -> None:
    spilled = SpilledParts[pd.DataFrame]()
    spilled.put(_part(10, seed=3))
    spilled._parts, kept = [], spilled._parts
    spilled.close()
    spilled._parts = kept
    with pytest.raises(OSError, match="after its file was closed"):
        spilled.take(0)


def test_a_full_disk_keeps_the_parts_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: FullTemporaryFile())
    parts = [_part(100, seed=i) for i in range(3)]
    with SpilledParts[pd.DataFrame]() as spilled:
        for part in parts:
            spilled.put(part)
        assert not spilled.on_disk
        for number, part in enumerate(parts):
            pd.testing.assert_frame_equal(spilled.take(number), part, check_exact=True)


def test_a_file_cut_short_is_an_error_never_a_part(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = opened_temporary_files(monkeypatch)
    with SpilledParts[pd.DataFrame]() as spilled:
        spilled.put(_part(1_000, seed=4))
        opened[0].truncate(500)
        with pytest.raises(OSError, match="cut short"):
            spilled.take(0)


class _ShortWrites(io.BytesIO):
    """A file that writes at most 1,000 bytes at a time, as an unbuffered file may."""

    def write(self, data: object) -> int:
        view = memoryview(data).cast("B")  # type: ignore[arg-type]
        return super().write(view[:1_000])


def test_a_large_part_pickled_straight_into_the_file_comes_back_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A part is pickled into the file as it is written (its arrays' bytes handed to the
    file from where they are, not copied into one bytes object first): every byte lands
    even where the file writes fewer than asked, and arrays larger than a pickle's frame
    (a float column whose buffer's items are eight bytes) come back the same."""
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: _ShortWrites())
    parts = [_part(40_000, seed=5), _part(30_000, seed=6)]
    with SpilledParts[pd.DataFrame]() as spilled:
        for part in parts:
            spilled.put(part)
        assert spilled.on_disk
        for number in (1, 0):
            pd.testing.assert_frame_equal(spilled.take(number), parts[number], check_exact=True)
