"""A table spread over parts in two cuts (issue 40, items 3 and 5; ADR 0104): the
counterparty features made in parts cut by counterparty, the rest and the scores in parts
cut by customer, each row read once in each cut, and the scores the bits one process
gives; an ensemble that reads no counterparty, or that two cuts cannot serve, is cut
once."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.match.description import describe
from entrepot.fraud.score import counterparty_cut
from entrepot.fraud.score.counterparty_cut import read_columns
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.partitions import role_columns
from entrepot.fraud.score.scoring import Explanations, score
from entrepot.fraud_service.pipeline import part_tasks, partitioned
from entrepot.fraud_service.pipeline.partitioned import Spread, score_spread
from tests.support.two_members import later_rows, two_members


class _Pickling:
    """A pool in this process that sends what a worker would be sent through pickle, and
    keeps each run's items."""

    def __init__(self) -> None:
        self.runs: list[list[Any]] = []

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        self.runs.append(list(items))
        there = pickle.loads(pickle.dumps(shared))
        return [
            pickle.loads(pickle.dumps(task(there, pickle.loads(pickle.dumps(i))))) for i in items
        ]


def _frame() -> pd.DataFrame:
    """Later rows of the training schema: the models' kept history continues into them."""
    return later_rows()


def _ensemble(frame: pd.DataFrame, *, history: bool) -> Ensemble:
    """Two members of different families, sharing the table's columns."""
    return two_members(frame, history=history)


def _spread(frame: pd.DataFrame, ensemble: Ensemble, pool: Any, parts: int) -> Any:
    explained: Explanations = {}
    found, facts = score_spread(
        frame,
        ensemble,
        Spread(pool, parts),
        upload=describe(frame),
        explain=True,
        threads=1,
        explained=explained,
        known=None,
    )
    return found, facts, explained


@pytest.mark.parametrize("history", [True, False])
@pytest.mark.parametrize("parts", [2, 3, 8])
def test_two_cuts_give_the_scores_of_one_process(history: bool, parts: int) -> None:
    frame = _frame()
    frame["note"] = [f"free text {i}" for i in range(len(frame))]  # read by no member
    ensemble = _ensemble(frame, history=history)
    explained: Explanations = {}
    alone = score(frame, ensemble, upload=describe(frame), explained=explained)
    pool = _Pickling()
    found, facts, spread_explained = _spread(frame, ensemble, pool, parts)
    pd.testing.assert_frame_equal(found, alone, check_exact=True)
    assert spread_explained == explained
    assert facts["cuts"] == 2 and facts["rows_read"] == len(frame)
    counterparty, scoring, explaining = pool.runs
    # the explained rows explained once, in slices over the pool, each sent its rows alone
    slices = [rows for rows, _ in explaining]
    assert sum(len(rows) for rows in slices) == len(explained) > 0
    assert len(slices) == min(len(scoring), len(explained))
    assert all(len(rows) < len(frame) for rows in slices) or len(slices) == 1
    # the counterparty cut reads its columns alone, each row once, in parts
    wanted = read_columns(ensemble, list(frame.columns))
    assert all(list(part.columns) == wanted for part in counterparty)
    assert sorted(np.concatenate([p.index for p in counterparty]).tolist()) == list(
        range(len(frame))
    )
    assert len(counterparty) > 1 and max(len(p) for p in counterparty) < len(frame)
    # the scoring cut: each row once, each customer whole in one part, sent the columns
    # the members read and the id columns alone
    rows = [part.index for part, _, _ in scoring]
    read = {c for m in ensemble.members for c in m.mapping} | set(describe(frame).id_columns)
    assert all(set(part.columns) <= read for part, _, _ in scoring)
    assert "note" in frame.columns and "note" not in read
    assert sorted(np.concatenate(rows).tolist()) == list(range(len(frame)))
    customers, _ = role_columns(ensemble, list(frame.columns))
    assert customers
    for customer in customers:
        owners = [set(frame.loc[r, customer].dropna()) for r in rows]
        assert all(not a & b for i, a in enumerate(owners) for b in owners[i + 1 :])


def test_an_ensemble_reading_no_counterparty_is_cut_once() -> None:
    frame = _frame()
    ensemble = _ensemble(frame, history=True)
    _, counterparties = role_columns(ensemble, list(frame.columns))
    members = tuple(
        replace(m, mapping={k: v for k, v in m.mapping.items() if k not in counterparties})
        for m in ensemble.members
    )
    ensemble = Ensemble(members, ensemble.models, ensemble.created)
    alone = score(frame, ensemble, upload=describe(frame))
    pool = _Pickling()
    found, facts, _ = _spread(frame, ensemble, pool, 3)
    pd.testing.assert_frame_equal(found, alone, check_exact=True)
    # the scoring cut, then the explained rows in slices
    assert facts["cuts"] == 1 and facts["rows_read"] == len(frame) and len(pool.runs) == 2


def test_the_one_cut_with_counterparties_still_gives_the_same_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where two cuts cannot be made (a member off the fast path), each part reads its
    counterparties' whole history instead: more rows, the same scores."""
    monkeypatch.setattr(counterparty_cut, "cut_roles", lambda frame, ensemble: None)
    frame = _frame()
    ensemble = _ensemble(frame, history=True)
    alone = score(frame, ensemble, upload=describe(frame))
    found, facts, _ = _spread(frame, ensemble, _Pickling(), 3)
    pd.testing.assert_frame_equal(found, alone, check_exact=True)
    assert facts["cuts"] == 1 and facts["rows_read"] > len(frame)


def test_in_process_each_counterparty_part_is_routed_once_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In process the counterparty cut's parts are made and routed one after the other:
    one part's features held at a time, not the table's; the same scores."""
    frame = _frame()
    ensemble = _ensemble(frame, history=True)
    alone = score(frame, ensemble, upload=describe(frame))
    steps: list[str] = []
    make = partitioned.counterparty_part
    put = counterparty_cut.RoutedMade.put

    def made(shared: Any, part: pd.DataFrame) -> Any:
        steps.append("made")
        return make(shared, part)

    def routed(self: Any, found: Any, rows: np.ndarray) -> None:
        steps.append("routed")
        put(self, found, rows)

    monkeypatch.setattr(part_tasks, "counterparty_part", made)  # where made_apart runs it
    monkeypatch.setattr(counterparty_cut.RoutedMade, "put", routed)
    found, facts = score_spread(
        frame,
        ensemble,
        Spread(part_rows=len(frame) // 3),
        upload=describe(frame),
        explain=False,
        threads=1,
        explained={},
        known=None,
    )
    assert facts["cuts"] == 2 and steps.count("made") > 1
    assert steps == ["made", "routed"] * steps.count("made")
    assert isinstance(found, pd.DataFrame)  # a table in memory: its scores merged in memory
    pd.testing.assert_frame_equal(
        found.drop(columns="explanation"), alone.drop(columns="explanation"), check_exact=True
    )


def test_a_handed_tables_parts_memory_is_given_back_once_the_last_part_is_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (issue 40 item 3, ADR 0125): the parts' freed arrays stayed in a scoring
    command's kept heap through the explanations, the figures and the writing (about 100
    MiB of its peak at 5M rows); they are given back once the last part is scored, before
    the explanations. The table is given back before the counterparty cut, which runs on
    its own columns after the scored parts are set aside."""
    from entrepot.fraud.tables.handed import HandedTable

    frame = _frame()
    ensemble = _ensemble(frame, history=True)
    events: list[str] = []
    scored = partitioned.score_part
    made = partitioned.counterparty_part
    explained_once = partitioned.explain_once

    def score_part(shared: Any, item: Any) -> Any:
        events.append("part")
        return scored(shared, item)

    def counterparty_part(shared: Any, item: Any) -> Any:
        events.append("counterparty")
        return made(shared, item)

    def explain_once(*args: Any) -> Any:
        events.append("explain")
        return explained_once(*args)

    monkeypatch.setattr(partitioned, "score_part", score_part)
    monkeypatch.setattr(part_tasks, "counterparty_part", counterparty_part)
    monkeypatch.setattr(partitioned, "explain_once", explain_once)
    monkeypatch.setattr(partitioned, "give_back", lambda: events.append("give back"))
    upload = describe(frame)
    score_spread(
        HandedTable(frame),
        ensemble,
        Spread(None, 1, part_rows=len(frame) // 3),
        upload=upload,
        explain=True,
        threads=1,
        explained={},
        known=None,
    )
    first_cut = events.index("counterparty")
    first_part = events.index("part")
    last_part = len(events) - 1 - events[::-1].index("part")
    assert "give back" in events[:first_cut]  # the table, but the cut's columns
    assert "give back" in events[first_cut:first_part]  # the cut's columns and features
    assert events[last_part + 1 :] == ["give back", "explain"]
