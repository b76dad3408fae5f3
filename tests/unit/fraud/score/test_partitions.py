"""A table cut by entity (issue 40, item 3): rows that share any entity value share a
part, each part carries its counterparties' rows, the cut is the same under any hash seed,
and the merge gives back the table's order and numbering, and its explained rows' features."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score.merged_scores import MergedScores
from entrepot.fraud.score.partitions import (
    Part,
    candidate_rows,
    candidate_table,
    cut_by_entity,
    entity_groups,
    entity_parts,
)
from entrepot.fraud.score.scoring import Candidates, explained_rows


def merge_scores(scored: list[pd.DataFrame], parts: list[Part]) -> pd.DataFrame:
    """The parts' scores merged as a scoring merges them, each part as it is back."""
    merged = MergedScores(parts)
    for number, frame in enumerate(scored):
        merged.put(number, frame)
    return merged.merged()


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "card": rng.integers(0, 40, n).astype(str),
            "customer": rng.integers(0, 300, n),
            "terminal": rng.integers(0, 25, n),
            "amount": rng.random(n),
        }
    )


def test_rows_sharing_a_value_of_any_entity_column_share_a_group() -> None:
    frame = pd.DataFrame({"card": ["a", "a", "b", "c", "d", None], "customer": [1, 2, 2, 3, 3, 9]})
    assert entity_groups(frame, ["card", "customer"]).tolist() == [0, 0, 0, 1, 1, 2]
    assert entity_groups(frame, ["card"]).tolist() == [0, 0, 1, 2, 3, 4]


@pytest.mark.parametrize("parts", [2, 3, 8])
def test_each_entity_is_whole_in_one_part_and_its_counterparties_travel_with_it(
    parts: int,
) -> None:
    frame = _frame()
    found = cut_by_entity(frame, ["card"], ["terminal"], parts)
    own = np.concatenate([p.rows[p.own] for p in found])
    assert sorted(own.tolist()) == list(range(len(frame)))  # every row once
    for part in found:
        mine = frame.iloc[part.rows[part.own]]
        others = frame.drop(index=mine.index)
        assert not set(mine["card"]) & set(others["card"])
        read = frame.iloc[part.rows]
        # every row of each terminal its own rows name is in the part
        assert set(frame.index[frame["terminal"].isin(mine["terminal"])]) <= set(read.index)
        assert (np.diff(part.rows) > 0).all()  # in the table's order
        # four bytes a position under 2**31 rows (issue 40 item 3: 240 MB at 20M rows)
        assert part.rows.dtype == np.int32


def test_the_cut_is_the_same_under_any_hash_seed() -> None:
    frame = _frame(seed=3)
    here = entity_parts(frame, ["card"], 8).tolist()
    code = (
        "import numpy as np, pandas as pd\n"
        "from entrepot.fraud.score.partitions import entity_parts\n"
        "from tests.unit.fraud.score.test_partitions import _frame\n"
        "print(entity_parts(_frame(seed=3), ['card'], 8).tolist())\n"
    )
    for seed in ("1", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == str(here)
    assert len(set(here)) > 1


def _parts() -> list[Part]:
    return [
        Part(np.array([0, 2, 3, 5]), np.array([True, False, True, True])),
        Part(np.array([1, 2, 4]), np.array([True, True, True])),
    ]


def test_the_merge_gives_back_the_tables_order_and_numbering() -> None:
    proba = np.array([0.9, 0.1, 0.8, 0.95, 0.7, 0.85])
    scored = []
    for part in _parts():
        rows = part.rows[part.own]  # a part's scores are its own rows' alone
        scored.append(
            pd.DataFrame({"row": np.arange(1, len(rows) + 1), "fraud_probability": proba[rows]})
        )
    merged = merge_scores(scored, _parts())
    assert merged["row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert merged["fraud_probability"].tolist() == proba.tolist()


def test_the_merge_keeps_every_columns_values_and_dtype_a_column_at_a_time() -> None:
    """Regression for the merge made a column at a time (it joined and reordered the whole
    frame): text, object, nullable and NumPy columns, a repeated name, each as a join of
    the parts sorted back by row would give it."""
    rng = np.random.default_rng(4)
    table = pd.DataFrame(
        {
            "row": np.arange(1, 7),
            "id": pd.array(["a", "b", None, "d", "e", "f"], dtype="str"),
            "note": np.array(["x", 1, None, "y", 2.5, "z"], dtype=object),
            "count": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
            "fraud_probability": rng.random(6),
            "prediction": np.array([1, 0, 1, 1, 0, 1], dtype=np.int8),
            "flag": np.array([True, False, True, False, True, False]),
        }
    )
    table.insert(3, "dup", np.arange(6.0))
    table = table.set_axis([*table.columns[:3], "id", *table.columns[4:]], axis=1)
    scored = [table.take(part.rows[part.own]).reset_index(drop=True) for part in _parts()]
    expected = pd.concat(scored, ignore_index=True)
    merged = merge_scores(scored, _parts())
    expected.index = np.concatenate([part.rows[part.own] for part in _parts()])
    expected = expected.sort_index().reset_index(drop=True)
    expected["row"] = np.arange(1, 7)
    pd.testing.assert_frame_equal(merged, expected)
    assert merged.dtypes.tolist() == table.dtypes.tolist()


def test_the_tables_explained_rows_come_from_the_parts_candidates() -> None:
    """Each part offers its own most probable rows up to the limit, with their feature
    rows and their rows of the table; the table's explained rows (its three most probable
    at or above half the threshold) are gathered from those, most probable first: the
    table itself is not read."""
    proba = np.array([0.9, 0.1, 0.8, 0.95, 0.7, 0.85])
    x = np.arange(12, dtype=float).reshape(6, 2)  # row r's features: (2r, 2r + 1)
    table = pd.DataFrame(
        {"id": pd.array([f"t{r}" for r in range(6)], dtype="str"), "amount": proba * 100}
    )
    offered: list[Candidates | None] = []
    for part in _parts():
        mine = part.rows[part.own]
        local = explained_rows(proba[mine], 0.5, 3)
        rows_of = table.take(mine[local]).reset_index(drop=True)
        offered.append(Candidates(local, [x[mine][local]], rows_of) if len(local) else None)
    rows = explained_rows(proba, 0.5, 3)
    assert rows.tolist() == [3, 0, 5]
    (gathered,) = candidate_rows(offered, _parts(), rows)
    assert gathered.tolist() == x[[3, 0, 5]].tolist()
    expected = table.take([3, 0, 5]).reset_index(drop=True)
    pd.testing.assert_frame_equal(candidate_table(offered, _parts(), rows), expected)


@pytest.mark.parametrize("columns", [["customer"], ["card", "customer"]])
def test_the_groups_hashed_a_slice_at_a_time_fall_in_the_same_parts(
    monkeypatch: pytest.MonkeyPatch, columns: list[str]
) -> None:
    """Regression (issue 40 item 3): the hash of every row's group at once held its
    temporaries for the whole table; hashed a slice at a time, each row's part is the one
    the whole table's hash gives."""
    frame = _frame(1000, seed=3)
    groups = entity_groups(frame, columns)
    whole = pd.util.hash_pandas_object(pd.Series(groups), index=False).to_numpy() % np.uint64(7)
    monkeypatch.setattr("entrepot.fraud.score.partitions.HASH_ROWS", 64)
    np.testing.assert_array_equal(entity_parts(frame, columns, 7), whole.astype(np.intp))


@pytest.mark.parametrize("columns", [["customer"], ["card", "customer"]])
def test_the_groups_and_the_cut_are_held_in_narrow_integers(columns: list[str]) -> None:
    """Regression (issue 40 item 3): every row's group was 8 bytes and its part 8 more
    (at 20M rows, 300 MB at the cut); four bytes and one, each row in the part the 8-byte
    groups' hash gives."""
    frame = _frame(1000, seed=3)
    groups = entity_groups(frame, columns)
    assert groups.dtype == np.int32
    cut = entity_parts(frame, columns, 7)
    assert cut.dtype == np.uint8
    wide = pd.util.hash_pandas_object(pd.Series(groups.astype(np.int64)), index=False)
    np.testing.assert_array_equal(cut, wide.to_numpy() % np.uint64(7))


@pytest.mark.parametrize("columns", [["customer"], ["card", "customer"], ["card", "terminal"]])
def test_codes_read_in_pieces_are_cut_as_the_values_they_stand_for(columns: list[str]) -> None:
    """Regression (issue 40 item 3): the cut of a table on disk factorised its columns'
    codes again (at 20M rows, 230 MB more a column: the scoring's peak); taken as they
    are, the groups, each row's part and the parts are the values' own, and the codes
    given are left as they were."""
    from entrepot.fraud.tables.piece_codes import piece_codes

    frame = _frame(1000, seed=5)
    frame.loc[[3, 70, 500], "card"] = None  # a missing value is a value too
    pieces = [frame.iloc[i : i + 97] for i in range(0, len(frame), 97)]
    codes = pd.DataFrame(
        {c: piece_codes((p[c] for p in pieces), len(frame)) for c in [*columns, "terminal"]}
    )
    before = codes.copy()
    np.testing.assert_array_equal(
        entity_groups(codes, columns, coded=True), entity_groups(frame, columns)
    )
    np.testing.assert_array_equal(
        entity_parts(codes, columns, 7, coded=True), entity_parts(frame, columns, 7)
    )
    around = [c for c in ["terminal"] if c not in columns]
    for got, want in zip(
        cut_by_entity(codes, columns, around, 5, coded=True),
        cut_by_entity(frame, columns, around, 5),
        strict=True,
    ):
        np.testing.assert_array_equal(got.rows, want.rows)
        np.testing.assert_array_equal(got.own, want.own)
    pd.testing.assert_frame_equal(codes, before)
