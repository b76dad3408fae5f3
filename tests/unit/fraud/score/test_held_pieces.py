"""The figures' columns held on disk by slice of the table's rows (issue 40 item 3, ADR
0136): put a part's piece at a time in any order, read back in any range of rows as the
whole array in the table's order."""

from __future__ import annotations

import numpy as np
import pytest

from entrepot.fraud.score.held_pieces import HeldPieces


def _put(
    total: int, slice_rows: int, parts: int, seed: int
) -> tuple[HeldPieces, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    proba = rng.random(total)
    prediction = (proba > 0.7).astype(np.int8)
    owner = rng.integers(0, parts, total)
    held = HeldPieces(total, slice_rows)
    pieces = []
    for part in range(parts):
        rows = np.flatnonzero(owner == part)
        for at in np.unique(rows // slice_rows):
            mine = rows[rows // slice_rows == at]
            pieces.append((int(at), mine))
    for index in rng.permutation(len(pieces)):
        at, mine = pieces[index]
        placed = (mine - at * slice_rows).astype(np.int32)
        held.put(at, {"fraud_probability": proba[mine], "prediction": prediction[mine]}, placed)
    return held, {"fraud_probability": proba, "prediction": prediction}


@pytest.mark.parametrize("slice_rows", [1, 7, 64, 10_000])
def test_any_range_of_rows_is_the_whole_arrays(slice_rows: int) -> None:
    held, expected = _put(500, slice_rows, 4, slice_rows)
    with held:
        for name, values in expected.items():
            column = held.column(name)
            assert len(column) == 500 and column.dtype == values.dtype
            for start, stop in ((0, 500), (0, 1), (3, 250), (63, 65), (499, 500), (10, 5)):
                np.testing.assert_array_equal(column[start:stop], values[start:stop])
            np.testing.assert_array_equal(np.asarray(column), values)
            whole = held.whole()[name]
            assert whole.dtype == values.dtype
            np.testing.assert_array_equal(whole, values)


def test_a_column_of_another_dtype_or_unknown_is_refused() -> None:
    held, _ = _put(50, 8, 2, 1)
    with held:
        with pytest.raises(ValueError, match="came as float32"):
            held.put(0, {"fraud_probability": np.zeros(1, np.float32)}, np.zeros(1, np.int32))
        with pytest.raises(ValueError, match="not held"):
            held.column("risk_level")
        with pytest.raises(ValueError, match="consecutive"):
            held.column("prediction")[::2]


def test_a_column_read_through_once_is_read_again_as_it_lies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The figures read a column several times: its slices are put in place from the
    pieces once, in order, and read back from their ordered file after."""
    held, expected = _put(1000, 64, 3, 9)
    placed: list[tuple[str, int]] = []
    real = HeldPieces._placed

    def spied(self: HeldPieces, name: str, at: int, size: int) -> np.ndarray:
        placed.append((name, at))
        return real(self, name, at, size)

    monkeypatch.setattr(HeldPieces, "_placed", spied)
    with held:
        column = held.column("fraud_probability")
        np.testing.assert_array_equal(column[100:900], expected["fraud_probability"][100:900])
        first = len(placed)  # not from the first slice: nothing kept in order
        for _ in range(2):
            for start in range(0, 1000, 64):
                found = column[start : start + 64]
                np.testing.assert_array_equal(
                    found, expected["fraud_probability"][start : start + 64]
                )
        assert len(placed) == first + 16  # the first pass in order alone put them in place
        assert {name for name, _ in placed} == {"fraud_probability"}
