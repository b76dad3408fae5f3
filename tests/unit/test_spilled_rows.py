"""A block of rows held on disk while a step does not read them (``entrepot.spilled_rows``,
ADR 0117): the same bytes come back, into the same place, whatever happens meanwhile; the
memory is given back where the system can; where it cannot, nothing changes."""

from __future__ import annotations

import mmap
import sys

import numpy as np
import pytest

from entrepot import spilled_rows
from entrepot.spilled_rows import spillable_empty, spilled

LINUX = sys.platform.startswith("linux")


def _filled(rows: int, columns: int, seed: int = 0) -> np.ndarray:
    x = spillable_empty((rows, columns))
    x[:] = np.random.default_rng(seed).normal(size=(rows, columns))
    x[::7, 1 % columns] = np.nan
    return x


@pytest.mark.parametrize("head", [0, 1, 123, 4_097])
def test_the_bytes_come_back_into_the_same_place(head: int) -> None:
    x = _filled(head + 9_000, 5, seed=head)
    before = x.copy()
    tail = x[head:]
    with spilled(tail):
        pass
    assert x.tobytes() == before.tobytes()  # NaNs too, bit for bit
    assert np.shares_memory(tail, x)


@pytest.mark.skipif(not LINUX, reason="pages are given back as zeros on Linux")
def test_the_whole_pages_of_the_block_are_given_back_meanwhile() -> None:
    x = _filled(40_000, 8)
    before = x.copy()
    head, tail = x[:10_001], x[10_001:]
    with spilled(tail) as given:
        assert given >= tail.nbytes - 2 * mmap.PAGESIZE
        assert given % mmap.PAGESIZE == 0
        assert not tail[100:].any()  # the memory is gone: a read sees fresh pages
        assert head.tobytes() == before[:10_001].tobytes()  # rows before it untouched
    assert x.tobytes() == before.tobytes()


def test_the_bytes_come_back_when_the_step_fails() -> None:
    x = _filled(20_000, 3)
    before = x.copy()
    with pytest.raises(RuntimeError), spilled(x[5_000:]):
        raise RuntimeError("the search failed")
    assert x.tobytes() == before.tobytes()


def test_an_ordinary_array_stays_in_memory() -> None:
    x = np.random.default_rng(1).normal(size=(20_000, 4))
    with spilled(x[1_000:]) as given:
        assert given == 0
        assert x[1_000:].any()


def test_a_strided_block_stays_in_memory() -> None:
    x = _filled(20_000, 4)
    with spilled(x[:, 1:]) as given:
        assert given == 0
        assert x[:, 1:].any()


def test_a_block_smaller_than_a_page_stays_in_memory() -> None:
    x = _filled(200, 2)
    before = x.copy()
    with spilled(x[150:]) as given:
        assert given == 0
    assert x.tobytes() == before.tobytes()


def test_a_full_disk_leaves_the_block_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_held: object, _raw: memoryview) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spilled_rows, "write_all", full)
    x = _filled(30_000, 4)
    before = x.copy()
    with spilled(x[2_000:]) as given:
        assert given == 0
        assert x.tobytes() == before.tobytes()  # nothing was given back
    assert x.tobytes() == before.tobytes()


def test_a_short_read_back_is_an_error_not_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    def cut(held: object, raw: memoryview) -> None:
        held.write(raw[: len(raw) // 2])  # type: ignore[attr-defined]

    monkeypatch.setattr(spilled_rows, "write_all", cut)
    x = _filled(30_000, 4)
    with pytest.raises(OSError, match="cut short"), spilled(x[2_000:]):
        pass


@pytest.mark.parametrize("shape", [(0, 4), (3, 0)])
def test_empty_arrays(shape: tuple[int, int]) -> None:
    x = spillable_empty(shape)
    assert x.shape == shape
    with spilled(x) as given:
        assert given == 0


def test_the_array_is_c_ordered_and_writable() -> None:
    x = spillable_empty((1_000, 6))
    assert x.flags.c_contiguous and x.flags.writeable and x.dtype == np.float64
