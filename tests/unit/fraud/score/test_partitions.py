"""A table cut by entity (issue 40, item 3): rows that share any entity value share a
part, each part carries its counterparties' rows, the cut is the same under any hash seed,
and the merge gives back the table's order, numbering and explanations."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score.partitions import (
    Part,
    cut_by_entity,
    entity_groups,
    entity_parts,
    merge_scores,
)


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


def test_the_merge_gives_back_the_tables_order_and_its_most_probable_explanations() -> None:
    proba = np.array([0.9, 0.1, 0.8, 0.95, 0.7, 0.85])
    parts = [
        Part(np.array([0, 2, 3, 5]), np.array([True, False, True, True])),
        Part(np.array([1, 2, 4]), np.array([True, True, True])),
    ]
    scored = []
    for part in parts:
        rows = part.rows[part.own]  # a part's scores are its own rows' alone
        scores = pd.DataFrame(
            {
                "row": np.arange(1, len(rows) + 1),
                "fraud_probability": proba[rows],
                "explanation": [f"why {r}" if proba[r] >= 0.25 else "" for r in rows],
            }
        )
        explained = {i: (f"said {r}",) for i, r in enumerate(rows) if proba[r] >= 0.25}
        scored.append((scores, explained))
    said: dict[int, tuple[str, ...]] = {}
    merged = merge_scores(scored, parts, threshold=0.5, explain_limit=3, explained=said)  # type: ignore[arg-type]
    assert merged["row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert merged["fraud_probability"].tolist() == proba.tolist()
    # the three most probable rows (3, 0, 5) keep theirs, in that order
    assert merged["explanation"].tolist() == ["why 0", "", "", "why 3", "", "why 5"]
    assert list(said) == [3, 0, 5]
    assert said[3] == ("said 3",)
