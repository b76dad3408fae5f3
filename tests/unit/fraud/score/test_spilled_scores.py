"""The parts' scores held on disk and read back a slice of the table's rows at a time
(issue 40 item 3, ADR 0129): the frame the merge in memory gives, in any order the parts
come back and for any slice's size, the explanations' texts put where they belong, the
summary's counts summed over the parts, the CSV file the whole frame writes, and what is
held in memory the figures' columns alone."""

from __future__ import annotations

import itertools
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score.merged_scores import MergedScores
from entrepot.fraud.score.partitions import Part
from entrepot.fraud.score.spilled_scores import SpilledScores
from entrepot.fraud.tables.io import write_table
from tests.support.scored_parts import joined_back, scored_of

ROWS = 40


def _parts(rows: int = ROWS, count: int = 3, seed: int = 4) -> list[Part]:
    """``count`` parts owning every row once (each part's rows in the table's order), with
    rows of others read as history."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, count, rows)
    found = []
    for part in range(count):
        read = (owner == part) | (rng.random(rows) < 0.2)
        where = np.flatnonzero(read).astype(np.int32)
        found.append(Part(where, owner[where] == part))
    return found


def _table(rows: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    ids = [None if i % 7 == 3 else f"t{i}" for i in range(rows)]
    return pd.DataFrame(
        {
            "row": np.arange(1, rows + 1),
            "id": pd.array(ids, dtype="str"),
            "note": np.array([["x", 1, None, 2.5][i % 4] for i in range(rows)], dtype=object),
            "fraud_probability": rng.random(rows),
            "prediction": (rng.random(rows) < 0.3).astype(np.int8),
            "risk_level": pd.array(["low", "high", "medium", "low"] * (rows // 4), dtype="str"),
            "explanation": pd.array([""] * rows, dtype="str"),
        }
    )


def _spilled(
    parts: list[Part], scored: list[pd.DataFrame], order: tuple[int, ...], slice_rows: int
) -> SpilledScores:
    held = SpilledScores(parts, slice_rows=slice_rows, tally=lambda s: {"rows": len(s)})
    for number in order:
        held.put(number, scored[number].copy())
    return held


@pytest.mark.parametrize("slice_rows", [1, 3, 16, 1000])
@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_slices_join_to_the_merged_frame_in_any_order_for_any_slice(
    order: tuple[int, ...], slice_rows: int
) -> None:
    parts = _parts()
    table = _table()
    scored = scored_of(table, parts)
    with _spilled(parts, scored, order, slice_rows) as held:
        slices = list(held.slices())
        whole = held.frame()
    merged = MergedScores(parts)
    for number in order:
        merged.put(number, scored[number].copy())
    expected = joined_back(scored, parts)
    assert [len(s) for s in slices[:-1]] == [slice_rows] * (len(slices) - 1)
    assert sum(len(s) for s in slices) == ROWS
    pd.testing.assert_frame_equal(pd.concat(slices, ignore_index=True), expected)
    pd.testing.assert_frame_equal(whole, expected)
    pd.testing.assert_frame_equal(whole, merged.merged())
    assert whole.dtypes.tolist() == table.dtypes.tolist()


def test_the_figures_columns_are_held_in_the_tables_order_and_the_counts_summed() -> None:
    parts = _parts()
    table = _table()
    with _spilled(parts, scored_of(table, parts), (2, 0, 1), 5) as held:
        assert held.values("fraud_probability").tolist() == table["fraud_probability"].tolist()
        assert held.values("prediction").tolist() == table["prediction"].tolist()
        assert held.tallied == {"rows": ROWS}
        assert len(held) == ROWS
        with pytest.raises(ValueError, match="not held"):
            held.values("risk_level")


@pytest.mark.parametrize("slice_rows", [2, 7, 1000])
def test_the_explanations_texts_go_to_their_rows_in_every_slice(slice_rows: int) -> None:
    parts = _parts()
    table = _table()
    scored = scored_of(table, parts)
    rows = np.array([39, 0, 8, 13, 14, 2])
    texts = [f"because {r}" for r in rows.tolist()]
    merged = MergedScores(parts)
    for number in range(3):
        merged.put(number, scored[number].copy())
    merged.put_texts("explanation", rows, texts)
    with _spilled(parts, scored, (1, 2, 0), slice_rows) as held:
        held.put_texts("explanation", rows, texts)
        slices = pd.concat(list(held.slices()), ignore_index=True)
        whole = held.frame()
    expected = merged.merged()
    pd.testing.assert_frame_equal(slices, expected)
    pd.testing.assert_frame_equal(whole, expected)
    assert slices["explanation"].iloc[13] == "because 13"
    assert slices["explanation"].iloc[1] == ""


def test_a_column_whose_parts_differ_in_dtype_is_read_back_as_concat_joins_it() -> None:
    parts = _parts()
    table = _table()
    scored = scored_of(table, parts)
    scored[1]["prediction"] = scored[1]["prediction"].astype(np.int8)
    scored[1]["note"] = pd.array([1] * len(scored[1]), dtype="Int64")  # another dtype
    expected = joined_back(scored, parts)
    with _spilled(parts, scored, (0, 1, 2), 4) as held:
        pd.testing.assert_frame_equal(pd.concat(list(held.slices()), ignore_index=True), expected)
        pd.testing.assert_frame_equal(held.frame(), expected)


def test_a_part_missing_put_twice_or_with_other_rows_is_refused() -> None:
    parts = _parts()
    scored = scored_of(_table(), parts)
    held = SpilledScores(parts, slice_rows=4)
    held.put(0, scored[0])
    with pytest.raises(ValueError, match="never put"):
        held.frame()
    with pytest.raises(ValueError, match="put twice"):
        held.put(0, scored[0])
    with pytest.raises(ValueError, match="not its"):
        held.put(1, scored[2])
    with pytest.raises(ValueError, match="other columns"):
        held.put(1, scored[1].drop(columns=["note"]))
    held.close()


def test_the_parts_are_let_go_once_every_one_is_put() -> None:
    """Issue 40 item 3: once every part's scores are in their places, the parts' rows and
    own rows (five bytes a row of the table) are not held through the figures and the
    writing; the slices read back the same, and a part put again is refused."""
    import gc
    import weakref

    parts = _parts()
    scored = scored_of(_table(), parts)
    expected = joined_back(scored, parts)
    held = SpilledScores(parts, slice_rows=7)
    watched = [weakref.ref(part.rows) for part in parts]
    for number in (2, 0, 1):
        held.put(number, scored[number].copy())
    del parts
    gc.collect()
    assert all(ref() is None for ref in watched)
    pd.testing.assert_frame_equal(held.frame(), expected, check_exact=True)
    pd.testing.assert_frame_equal(pd.concat(held.slices(), ignore_index=True), expected)
    with pytest.raises(ValueError, match="put twice"):
        held.put(1, scored[1])
    held.close()


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".parquet"])
def test_the_scores_write_the_file_their_frame_writes(tmp_path: Path, suffix: str) -> None:
    parts = _parts(rows=400, count=4)
    table = _table(400).drop(columns=["note"])  # Parquet writes no column of mixed objects
    table.loc[5, "id"] = "=cmd|' /C calc'!A0"  # a formula, neutralised in both
    scored = scored_of(table, parts)
    with _spilled(parts, scored, (3, 1, 0, 2), 64) as held:
        written = held.write(tmp_path / f"spilled{suffix}")
        expected = write_table(held.frame(), tmp_path / f"whole{suffix}")
    assert written.read_bytes() == expected.read_bytes()
    if suffix != ".parquet":
        assert written.read_bytes().count(b"\r\nrow,") == 0  # the header once
        assert pd.read_csv(written)["id"].iloc[5].startswith("'=")


def _put_measured(parts: list[Part], scored: list[pd.DataFrame]) -> tuple[SpilledScores, int]:
    """Every part's ``scored`` put, slices of 10,000 rows, and the bytes held after."""
    tracemalloc.start()
    try:
        held = SpilledScores(parts, slice_rows=10_000)
        before = tracemalloc.get_traced_memory()[0]
        for number, scores in enumerate(scored):
            held.put(number, scores)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return held, kept


def test_what_is_held_in_memory_is_the_figures_columns_alone() -> None:
    rows = 60_000
    parts = _parts(rows=rows, count=3)
    frame = pd.DataFrame(
        {
            "row": np.arange(1, rows + 1),
            "note": np.array([f"a long note of row {i:08d}" for i in range(rows)], dtype=object),
            "fraud_probability": np.linspace(0, 1, rows),
            "prediction": np.zeros(rows, dtype=np.int8),
        }
    )
    scored = scored_of(frame, parts)
    held, kept = _put_measured(parts, scored)
    # the notes are about 5 MB of Python strings
    assert kept < 1_500_000
    with held:
        assert held.frame()["note"].tolist() == frame["note"].tolist()


def test_a_column_repeating_a_held_one_is_not_written_but_read_back_the_same() -> None:
    """A one-model ensemble's member score repeats the probability bit for bit: it is made
    again from the piece's probability, not written to disk; where a part's differs (here
    ``-0.0``), that part's is written. The figures' columns travel with their pieces (the
    writing reads them there, not from arrays of the table's rows)."""
    parts = _parts()
    table = _table()
    table["score_m"] = table["fraud_probability"].to_numpy().copy()
    scored = scored_of(table, parts)
    scored[2].loc[0, "fraud_probability"] = 0.0
    scored[2].loc[0, "score_m"] = -0.0  # equal, not the same bits
    expected = joined_back(scored, parts)
    with _spilled(parts, scored, (0, 1, 2), 8) as held:
        written = [held._spilled.take(i)[0] for i in range(len(held._spilled))]
        pd.testing.assert_frame_equal(pd.concat(list(held.slices()), ignore_index=True), expected)
        pd.testing.assert_frame_equal(held.frame(), expected)
    on_disk = {name for piece in written for name in piece.columns}
    assert "fraud_probability" in on_disk and "prediction" in on_disk
    assert "score_m" in on_disk  # part 2's, whose bits differ
    assert sum("score_m" in piece.columns for piece in written) < len(written)
    assert np.signbit(expected["score_m"]).sum() == 1


@pytest.mark.parametrize("differs", [False, True])
def test_columns_read_back_whole_are_the_frames_and_a_repeat_is_the_held_array(
    differs: bool,
) -> None:
    """What an evaluation reads of the members' scores (``read``): each column in the
    table's order, as the frame holds it; a column every part repeats from a held one is
    that array, read from nothing on disk, and one part's differing bits read it back."""
    parts = _parts()
    table = _table()
    table["score_m"] = table["fraud_probability"].to_numpy().copy()
    table["score_n"] = np.random.default_rng(2).random(len(table))
    scored = scored_of(table, parts)
    if differs:
        scored[1]["score_m"] = scored[1]["score_m"].to_numpy() * 0.5
    expected = joined_back(scored, parts)
    with _spilled(parts, scored, (2, 0, 1), 8) as held:
        found = held.read(["score_m", "score_n", "prediction", "score_m"])
        assert list(found) == ["score_m", "score_n", "prediction"]
        for name, values in found.items():
            np.testing.assert_array_equal(values, expected[name].to_numpy())
            assert values.dtype == expected[name].dtype
        repeats = found["score_m"] is held.values("fraud_probability")
        assert repeats is not differs
        assert found["prediction"] is held.values("prediction")


def test_nothing_is_held_for_each_row_while_the_parts_come_back() -> None:
    """Issue 40 item 3: the figures' columns are not held in the table's order while parts
    come back (9 bytes a row beside each part's features); put in order when first read,
    let go after (:meth:`SpilledScores.let_go_held`) and put in order again when read
    again, the same values; the slices read without them the same frame."""
    rows = 60_000
    parts = _parts(rows=rows, count=3)
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "row": np.arange(1, rows + 1),
            "fraud_probability": rng.random(rows),
            "score_m": np.zeros(rows),
            "prediction": (rng.random(rows) < 0.3).astype(np.int8),
        }
    )
    frame["score_m"] = frame["fraud_probability"].to_numpy().copy()
    scored = scored_of(frame, parts)
    expected = joined_back(scored, parts)
    held, kept = _put_measured(parts, scored)
    assert kept < 100_000  # the figures' columns: 540 kB
    with held:
        first = held.values("fraud_probability")
        np.testing.assert_array_equal(first, expected["fraud_probability"].to_numpy())
        assert held.values("fraud_probability") is first  # held until let go
        held.let_go_held()
        again = held.values("prediction")
        np.testing.assert_array_equal(again, expected["prediction"].to_numpy())
        assert held.values("fraud_probability") is not first
        held.let_go_held()
        slices = pd.concat(list(held.slices()), ignore_index=True)
        assert not held._held  # the slices read the figures' columns from their pieces
        pd.testing.assert_frame_equal(slices, expected, check_exact=True)
