"""The parts' scores merged as each part comes back (issue 40 item 3, ADR 0125): the same
frame in any order the parts come back, a column whose parts differ in dtype joined as
``pandas.concat`` joins a column, a part's frame let go once put, and a part missing, put twice
or with other rows refused."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score.merged_scores import MergedScores
from entrepot.fraud.score.partitions import Part
from tests.support.scored_parts import joined_back, scored_of


def _parts() -> list[Part]:
    # three parts: a part's own rows are its table rows where ``own`` holds
    return [
        Part(np.array([0, 2, 3, 5, 6]), np.array([True, False, True, True, False])),
        Part(np.array([1, 2, 4]), np.array([True, True, True])),
        Part(np.array([6, 7]), np.array([True, True])),
    ]


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    return pd.DataFrame(
        {
            "row": np.arange(1, 9),
            "id": pd.array(["a", "b", None, "d", "e", "f", "g", "h"], dtype="str"),
            "note": np.array(["x", 1, None, "y", 2.5, "z", 3, "w"], dtype=object),
            "count": pd.array([1, None, 3, 4, None, 6, 7, 8], dtype="Int64"),
            "fraud_probability": rng.random(8),
            "prediction": np.array([1, 0, 1, 1, 0, 1, 0, 0], dtype=np.int8),
        }
    )


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_parts_merge_to_the_same_frame_in_any_order_they_come_back(
    order: tuple[int, ...],
) -> None:
    parts = _parts()
    table = _table()
    scored = scored_of(table, parts)
    merged = MergedScores(parts)
    for number in order:
        merged.put(number, scored[number].copy())
    found = merged.merged()
    pd.testing.assert_frame_equal(found, joined_back(scored, parts))
    assert found.dtypes.tolist() == table.dtypes.tolist()


@pytest.mark.parametrize(
    "pieces",
    [
        [np.array([1, 2], dtype=np.int64), np.array([0.5]), np.array([7], dtype=np.int64)],
        [np.array([1.0, 2.0]), np.array(["x"], dtype=object), np.array([3.0])],
        [np.array([True, False]), np.array([1], dtype=np.int8), np.array([False])],
    ],
)
def test_a_column_whose_parts_differ_in_dtype_is_joined_as_concat_joins_it(
    pieces: list[np.ndarray],
) -> None:
    """Regression for the streaming merge: a part of another dtype than the first part's
    turns the column's array back into the pieces written, whichever order they come."""
    parts = [
        Part(np.array([0, 3]), np.array([True, True])),
        Part(np.array([1]), np.array([True])),
        Part(np.array([2]), np.array([True])),
    ]
    scored = [pd.DataFrame({"value": piece}) for piece in pieces]
    # the column's pieces joined as one column (a frame's join makes bool and int8 one
    # int8 column, a column's join makes them objects: the merge joins a column's)
    joined = pd.concat([frame["value"] for frame in scored], ignore_index=True)
    joined.index = np.concatenate([part.rows[part.own] for part in parts])
    expected = pd.DataFrame({"value": joined.sort_index().reset_index(drop=True)})
    expected["row"] = np.arange(1, len(expected) + 1)
    for order in ((0, 1, 2), (2, 1, 0), (1, 0, 2)):
        merged = MergedScores(parts)
        for number in order:
            merged.put(number, scored[number])
        found = merged.merged()
        pd.testing.assert_frame_equal(found, expected)


def test_a_part_put_is_let_go_the_merge_holds_the_tables_scores_and_one_part() -> None:
    """Regression (issue 40 item 3): the scores of every part were held until all were
    back, then merged beside them; each part is now written to its places as it comes
    back and let go, the table's arrays allocated once."""
    rows, count = 240_000, 8
    cut = np.arange(rows) % count
    parts = [
        Part(np.flatnonzero(cut == k), np.ones(rows // count, dtype=bool)) for k in range(count)
    ]
    rng = np.random.default_rng(6)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        merged = MergedScores(parts)
        size = 0
        for number, part in enumerate(parts):  # as a pool hands each part back
            frame = pd.DataFrame(index=pd.RangeIndex(len(part.rows)))
            for i in range(6):
                frame[f"c{i}"] = rng.random(len(part.rows))
            size += int(frame.memory_usage(index=False).sum())
            merged.put(number, frame)
            del frame
        found = merged.merged()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert found.shape == (rows, 7)
    # the table's scores (``size``), one part's being made (its columns copied in) and the
    # row numbers: measured 1.52 of the table's scores; each part kept by the merge, 2.52
    assert peak < 2.0 * size


def test_a_part_missing_put_twice_or_with_other_rows_is_refused() -> None:
    parts = _parts()
    scored = scored_of(_table(), parts)
    merged = MergedScores(parts)
    merged.put(0, scored[0])
    with pytest.raises(ValueError, match="put twice"):
        merged.put(0, scored[0])
    with pytest.raises(ValueError, match="scored 2 rows, not its 3"):
        merged.put(1, scored[2])
    with pytest.raises(ValueError, match="other columns"):
        merged.put(1, scored[1].rename(columns={"note": "other"}))
    with pytest.raises(ValueError, match=r"parts \[1, 2\] were never put"):
        merged.merged()


def _texts(values: list[str | None], dtype: str = "str") -> pd.DataFrame:
    return pd.DataFrame({"level": pd.array(values, dtype=dtype)})


@pytest.mark.parametrize("dtype", ["str", "string"])
@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_a_text_column_of_few_values_merges_as_its_piecesjoined_back(
    dtype: str, order: tuple[int, ...]
) -> None:
    """A text column held as its values' numbers (a risk level, an explanation still
    empty): the same values, missing ones and dtype as the pieces joined; a part of many
    values turns the column back into pieces, whichever part comes first."""
    parts = [
        Part(np.arange(0, 24, 3), np.ones(8, dtype=bool)),
        Part(np.arange(1, 24, 3), np.ones(8, dtype=bool)),
        Part(np.arange(2, 24, 3), np.ones(8, dtype=bool)),
    ]
    few = ["low", "high", None, "low", "low", "medium", "low", "low"]
    cases = [
        [_texts(few, dtype), _texts(few[::-1], dtype), _texts([None] * 8, dtype)],
        [_texts(few, dtype), _texts([f"t{i}" for i in range(8)], dtype), _texts(few, dtype)],
    ]
    for scored in cases:
        joined = pd.concat([frame["level"] for frame in scored], ignore_index=True)
        joined.index = np.concatenate([part.rows for part in parts])
        expected = pd.DataFrame({"level": joined.sort_index().reset_index(drop=True)})
        expected["row"] = np.arange(1, 25)
        merged = MergedScores(parts)
        for number in order:
            merged.put(number, scored[number])
        pd.testing.assert_frame_equal(merged.merged(), expected)


def test_a_text_column_of_few_values_is_held_as_numbers_not_as_its_pieces() -> None:
    """Regression (issue 40 item 3): the risk levels' pieces were held until the end, then
    joined and reordered (about 140 MiB more at 5M rows with the explanations); they are
    now four bytes a row. Arrow's buffers are counted by Arrow, NumPy's by tracemalloc."""
    import pyarrow as pa

    rows, count = 400_000, 4
    parts = [
        Part(np.arange(k, rows, count), np.ones(rows // count, dtype=bool)) for k in range(count)
    ]
    levels = np.array(["low", "medium", "high"], dtype=object)
    rng = np.random.default_rng(2)
    merged = MergedScores(parts)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes()
        size = 0
        for number in range(count):
            piece = _texts(list(levels[rng.integers(0, 3, rows // count)]))
            size += int(piece.memory_usage(index=False, deep=True).sum())
            merged.put(number, piece)
            del piece
        held = tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes() - before
    finally:
        tracemalloc.stop()
    found = merged.merged()
    assert found["level"].isin(["low", "medium", "high"]).all()
    # numbers of four bytes a row beside pieces of about twelve: measured 0.33 of the
    # pieces' size; the pieces kept, 1.0 or more
    assert held < 0.6 * size


def test_the_row_column_is_numbered_at_the_end_in_its_place_never_placed() -> None:
    """A part's ``row`` column numbers its own rows; the merge numbers the table's rows
    from 1 at the end, so the parts' are never written to an array of the table's rows
    (40 MiB written for nothing at 5M rows): what it holds is the other columns' alone."""
    parts = _parts()
    table = _table()
    scored = [
        piece.assign(row=np.arange(1, len(piece) + 1, dtype=np.int32))
        for piece in scored_of(table, parts)
    ]
    merged = MergedScores(parts)
    for number, piece in enumerate(scored):
        merged.put(number, piece)
    held = merged._columns
    assert list(table.columns).index("row") not in held and len(held) == table.shape[1] - 1
    found = merged.merged()
    assert list(found.columns) == list(table.columns)
    assert found["row"].tolist() == list(range(1, 9)) and found["row"].dtype == np.int64
    pd.testing.assert_frame_equal(
        found.drop(columns="row"), joined_back(scored, parts).drop(columns="row")
    )


def test_a_column_repeating_another_bit_for_bit_is_held_once_and_merged_right() -> None:
    """A one-model ensemble's member score repeats its probability (8 bytes a row held
    twice): the merge holds one array for both while every part repeats it, and gives a
    column its own array, every part's values right, when a later part differs (in its bits
    alone: ``-0.0``) or when the column it repeats changes dtype."""
    p = np.array([0.9, 0.0, 0.8, 0.95, 0.7, 0.85, 0.1, 0.2])
    table = pd.DataFrame(
        {
            "row": np.arange(1, 9),
            "fraud_probability": p,
            "score_m": p.copy(),
            "signed": np.where(np.arange(8) == 1, -0.0, p),  # row 1: the second part's
            "count": np.arange(8, dtype=np.int64),
            "twice": np.arange(8, dtype=np.int64),
        }
    )
    parts = _parts()
    scored = scored_of(table, parts)
    scored[1]["count"] = scored[1]["count"].astype(np.float64)  # joined: another dtype
    merge = MergedScores(parts)
    for number, frame in enumerate(scored):
        merge.put(number, frame)
    merged = merge.merged()
    pd.testing.assert_frame_equal(merged, joined_back(scored, parts))
    assert np.signbit(merged["signed"].to_numpy()[1])
    prob, same = merged["fraud_probability"].to_numpy(), merged["score_m"].to_numpy()
    assert np.shares_memory(prob, same)
    assert not np.shares_memory(prob, merged["signed"].to_numpy())


def test_a_text_column_of_few_values_is_held_a_byte_a_row_and_widened_as_values_come() -> None:
    """A risk level's few values are numbered a byte a row while the parts come (four
    before: 60 MB more at 20M rows); a column whose values pass 127 in a later part is
    widened, every part's text right."""
    rows, count = 40_000, 4
    cut = np.arange(rows) % count
    parts = [
        Part(np.flatnonzero(cut == k), np.ones(rows // count, dtype=bool)) for k in range(count)
    ]
    levels = np.array(["low", "medium", "high"])[np.arange(rows) % 3]
    many = np.where(
        np.arange(rows) < rows // 2, "a", np.char.add("v", (np.arange(rows) % 300).astype(str))
    )
    table = pd.DataFrame(
        {"row": np.arange(1, rows + 1), "risk_level": pd.array(levels, dtype="str"),
         "explanation": pd.array(many, dtype="str")}
    )  # fmt: skip
    scored = scored_of(table, parts)
    tracemalloc.start()
    try:
        merged = MergedScores(parts)
        before = tracemalloc.get_traced_memory()[0]
        merged.put(0, scored[0])  # 76 values in the explanations, 3 risk levels
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    for number in (1, 2, 3):  # the explanations' values pass 127 in the second
        merged.put(number, scored[number])
    pd.testing.assert_frame_equal(merged.merged(), joined_back(scored, parts))
    # both columns' numbers for every row, a byte each (2 * rows; four bytes: 8 * rows)
    assert 2 * rows <= held < 3 * rows


@pytest.mark.parametrize("held", ["numbered", "joined"])
def test_texts_put_before_the_merge_are_the_merged_columns_with_them(held: str) -> None:
    """The explanations' texts go into the merge before its text is made (issue 40 item 3:
    a 20M-row column's Arrow text made once): the merged frame is the one a merge and
    then the texts put in place give, whether the column is held as numbers (a few values)
    or joined (many values); the probabilities read before are the merge's own array."""
    parts = _parts()
    rng = np.random.default_rng(2)
    if held == "numbered":
        texts = pd.array([""] * 8, dtype="str")
    else:
        texts = pd.array([f"t{i}" for i in range(8)], dtype="str")
    table = pd.DataFrame(
        {"row": np.arange(1, 9), "fraud_probability": rng.random(8), "explanation": texts}
    )
    scored = scored_of(table, parts)
    merge = MergedScores(parts)
    for number, frame in enumerate(scored):
        merge.put(number, frame)
    proba = merge.values("fraud_probability")
    rows = np.array([6, 1, 3])
    said = [f"because {i}" for i in range(3)]
    if held == "numbered":  # every row, in reverse
        rows = np.arange(8)[::-1]
        said = [f"because {i}" for i in range(8)]
    merge.put_texts("explanation", rows, said)
    merged = merge.merged()
    expected = joined_back(scored, parts)
    column = expected["explanation"].to_numpy(dtype=object, copy=True)
    column[rows] = said
    expected["explanation"] = pd.array(column, dtype="str")
    pd.testing.assert_frame_equal(merged, expected)
    assert np.shares_memory(proba, merged["fraud_probability"].to_numpy())
