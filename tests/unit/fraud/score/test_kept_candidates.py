"""The explanations' candidates kept to the table's limit as each part's come back
(``fraud.score.kept_candidates``, issue 40 item 3): every row the table explains is kept,
whatever order the parts come back in, and what is held stays within the limit and one
part's; a table scored in many parts explains the rows and words it explained before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.score.kept_candidates import KeptCandidates
from entrepot.fraud.score.partitions import Part, candidate_rows, candidate_table
from entrepot.fraud.score.scoring import Candidates, explained_rows
from entrepot.fraud_service.pipeline import part_tasks
from tests.support.sliced_scoring import TwoMemberScoring

THRESHOLD = 0.5


def _table(rows: int, parts: int, seed: int) -> tuple[np.ndarray, list[Part]]:
    """Probabilities with many ties (two decimals) and parts of shuffled own rows, some
    rows of each part a counterparty's (not its own)."""
    rng = np.random.default_rng(seed)
    proba = rng.integers(0, 100, rows) / 100.0
    owner = rng.integers(0, parts, rows)
    found = []
    for number in range(parts):
        mine = rng.permutation(np.flatnonzero(owner == number))
        others = rng.choice(np.flatnonzero(owner != number), 5, replace=False)
        rows_read = np.concatenate([mine, others]).astype(np.int32)
        own = np.concatenate([np.ones(len(mine), bool), np.zeros(5, bool)])
        order = rng.permutation(len(rows_read))
        found.append(Part(rows_read[order], own[order]))
    return proba, found


def _offered(proba: np.ndarray, part: Part, limit: int) -> tuple[Candidates | None, np.ndarray]:
    """What a part offers (``score``'s own rule over its own rows), and their probabilities."""
    mine = proba[part.rows[part.own]]
    rows = explained_rows(mine, THRESHOLD, limit)
    if not len(rows):
        return None, mine
    positions = part.rows[part.own][rows].astype(float)
    table = pd.DataFrame({"position": positions.astype(np.int64)})
    return Candidates(rows, [np.column_stack([positions, positions * 2])], table), mine


@pytest.mark.parametrize("seed", range(6))
def test_every_row_the_table_explains_is_kept_whatever_the_parts_order(seed: int) -> None:
    limit = 7 + seed
    proba, parts = _table(600, 9, seed)
    kept = KeptCandidates(parts, limit)
    most = 0
    for number in np.random.default_rng(seed).permutation(len(parts)).tolist():
        offered, mine = _offered(proba, parts[number], limit)
        kept.put(number, offered, mine)
        most = max(most, len(kept))
        assert len(kept) <= limit  # pruned as each part arrives, never all parts' held
    rows = explained_rows(proba, THRESHOLD, limit)
    assert len(rows) == limit and most == limit
    matrices = candidate_rows(kept.offered, parts, rows)
    table = candidate_table(kept.offered, parts, rows)
    assert table["position"].tolist() == rows.tolist()  # each row's own candidate, in order
    assert matrices[0].tolist() == np.column_stack([rows, rows * 2]).astype(float).tolist()


def test_a_part_put_twice_is_an_error() -> None:
    proba, parts = _table(200, 2, 3)
    kept = KeptCandidates(parts, 50)
    offered, mine = _offered(proba, parts[0], 50)
    kept.put(0, offered, mine)
    with pytest.raises(ValueError, match="put twice"):
        kept.put(0, offered, mine)


@pytest.mark.parametrize("where", ["sliced", "in memory"])
def test_a_table_in_many_parts_explains_what_it_explained_with_every_candidate_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    scoring = TwoMemberScoring.of(tmp_path, part_rows=200)
    monkeypatch.setattr(part_tasks, "EXPLAIN_LIMIT", 6)  # fewer than the parts offer

    def scored() -> Any:
        return scoring.scored(where)

    pruned: list[int] = []
    prune = KeptCandidates._prune

    def counted(self: KeptCandidates) -> None:
        pruned.append(len(self))
        prune(self)

    monkeypatch.setattr(KeptCandidates, "_prune", counted)
    found = scored()
    assert pruned and max(pruned) > 6  # more were offered than the table explains
    monkeypatch.setattr(KeptCandidates, "_prune", lambda self: None)  # every part's held
    every = scored()
    assert found.spread["parts"] > 3 and len(found.explained) == 6
    assert found.explained == every.explained
    assert found.scores.equals(every.scores)
