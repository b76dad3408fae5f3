"""A column written a piece at a time and read back by slice (issue 40 item 3; ADR 0134):
the bytes read back are the bytes written, on disk or, where the disk is full, in memory."""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np
import pytest

from entrepot.column_on_disk import ColumnOnDisk


def _pieces() -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    return [rng.integers(-(2**62), 2**62, size) for size in (5, 0, 1000, 1, 333)]


@pytest.mark.parametrize("full_disk_after", [None, 0, 2])
def test_every_slice_reads_back_the_rows_written(
    monkeypatch: pytest.MonkeyPatch, full_disk_after: int | None
) -> None:
    if full_disk_after is not None:
        writes = {"count": 0}
        write = ColumnOnDisk._write

        def filling(self: ColumnOnDisk, piece: np.ndarray) -> None:
            if writes["count"] >= full_disk_after:
                raise OSError(28, "No space left on device")
            writes["count"] += 1
            write(self, piece)

        monkeypatch.setattr(ColumnOnDisk, "_write", filling)
    pieces = _pieces()
    whole = np.concatenate(pieces)
    with ColumnOnDisk(np.int64) as column:
        for piece in pieces:
            column.append(piece)
        assert len(column) == len(whole)
        for start, stop in [(0, len(whole)), (3, 7), (1000, 1339), (10, 10), (1330, 5000)]:
            found = column[start:stop]
            assert found.dtype == np.int64
            np.testing.assert_array_equal(found, whole[start:stop])
        np.testing.assert_array_equal(column[:], whole)
        np.testing.assert_array_equal(np.asarray(column), whole)  # read whole where compared


def test_a_column_is_cast_to_its_dtype_and_read_by_slices_alone() -> None:
    with ColumnOnDisk(np.float64) as column:
        column.append(np.array([1, 2, 3], dtype=np.int32))
        assert column[0:3].tolist() == [1.0, 2.0, 3.0]
        with pytest.raises(TypeError, match="slices"):
            column[1]  # type: ignore[index]
        with pytest.raises(TypeError, match="slices"):
            column[::2]


def test_a_closed_column_is_never_read_as_zeros() -> None:
    column = ColumnOnDisk(np.int64)
    column.append(np.arange(10))
    column.close()
    with pytest.raises(OSError, match="closed"):
        column[0:5]
    with pytest.raises(OSError, match="closed"):
        column.append(np.arange(3))


def test_the_rows_live_in_a_temporary_file_removed_with_the_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[Any] = []
    real = tempfile.TemporaryFile

    def spied(*args: Any, **kwargs: Any) -> Any:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", spied)
    column = ColumnOnDisk(np.int64)
    column.append(np.arange(1000))
    assert len(made) == 1 and not made[0].closed
    made[0].seek(0, 2)
    assert made[0].tell() == 8000
    del column  # let go unclosed: the file goes with it
    assert made[0].closed
