"""The figures' reads of every row a slice at a time (issue 40 item 3, ADR 0136): the
exact median, the sums added slice by slice, the rows to explain kept from slice to
slice; each checked against NumPy on the whole array."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from entrepot.fraud.score import row_slices
from entrepot.fraud.score.row_slices import Flagged, exact_median, sliced_sum
from entrepot.fraud.score.row_slices import row_slices as slices_of
from entrepot.fraud.score.scoring import explained_rows


def _values(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "normal":
        return rng.normal(size=n) * 1e3
    if kind == "few":  # many ties, negative and positive
        return rng.integers(-5, 5, size=n).astype(float)
    if kind == "same":
        return np.full(n, 7.25)
    if kind == "days":  # horizons: days from whole seconds, most within one binade
        return rng.integers(7 * 86_400, 9 * 86_400, size=n) / 86_400
    return np.concatenate([rng.exponential(size=n), [-0.0, 0.0, 1e300, -1e-300, 5e-324]])


@pytest.mark.parametrize("kind", ["normal", "few", "same", "days", "edges"])
@pytest.mark.parametrize("held", [1, 7, 1 << 30])
def test_the_median_is_numpys_whatever_the_values_and_the_memory(kind: str, held: int) -> None:
    rng = np.random.default_rng(len(kind) * 31 + held % 97)
    for n in (1, 2, 3, 10, 999, 4000):
        values = _values(kind, n, rng)
        asked: list[int] = []

        def pieces(values: np.ndarray = values, asked: list[int] = asked) -> Iterator[np.ndarray]:
            asked.append(1)
            for start in range(0, len(values), 97):
                yield values[start : start + 97]

        found = exact_median(pieces, len(values), held)
        expected = float(np.median(values))
        assert found == expected and np.signbit(found) == np.signbit(expected), (kind, n)
        if held == 1 and kind != "same" and n > 10:
            assert len(asked) >= 2  # counted first, never gathered whole at once
    assert exact_median(lambda: iter([]), 0) is None


def test_sums_add_each_slices_sum_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    values = rng.random(1000) * 1e6
    one = sliced_sum(values)
    assert one == float(values.sum())  # one slice: the array's own sum, bit for bit
    monkeypatch.setattr(row_slices, "SLICE_ROWS", 64)
    total = 0.0
    for start in range(0, 1000, 64):
        total += float(values[start : start + 64].sum())
    assert sliced_sum(values) == total
    assert [start for start, _ in slices_of(values)] == list(range(0, 1000, 64))
    assert sliced_sum(np.zeros(0)) == 0.0


def test_flagged_rows_are_those_predicted_one_slice_by_slice() -> None:
    predictions = np.asarray([0, 1, 1, 0, 1], dtype=np.int8)
    flagged = Flagged(predictions)
    assert len(flagged) == 5
    assert flagged[1:4].tolist() == [True, True, False]


class _OnlySlices:
    """An array read only in slices, as a column held on disk is: the whole never asked."""

    def __init__(self, values: np.ndarray, most: int) -> None:
        self._values = values
        self._most = most

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop, _ = rows.indices(len(self._values))
        assert stop - start <= self._most
        return self._values[rows]


@pytest.mark.parametrize("limit", [1, 5, 40, 10_000])
def test_the_rows_explained_from_slices_are_those_of_the_whole(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """The most probable first, ties in row order, across the slices' borders."""
    rng = np.random.default_rng(limit)
    proba = np.round(rng.random(3000), 2)  # many ties, in every slice
    proba[::17] = np.nan
    expected = explained_rows(proba, 0.5, limit)
    monkeypatch.setattr(row_slices, "SLICE_ROWS", 128)
    found = explained_rows(_OnlySlices(proba, 128), 0.5, limit)
    np.testing.assert_array_equal(found, expected)
    rows = np.flatnonzero(proba >= 0.25)
    ranked = rows[np.lexsort((rows, -proba[rows]))][:limit]  # by hand: (-p, row)
    np.testing.assert_array_equal(found, ranked)
