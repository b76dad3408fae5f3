"""A large table scored without a pool, in process, in parts by entity one after the other
(issue 40, item 3; ADR 0110): the bits and the explanations of the whole table scored at
once; a table within the bound, or one the parts cannot serve, scored whole."""

from __future__ import annotations

import weakref
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from entrepot.fraud.match.description import describe
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.scoring import Explanations, score
from entrepot.fraud.tables.handed import HandedTable
from entrepot.fraud_service.pipeline import partitioned
from entrepot.fraud_service.pipeline.evaluation import evaluate_table
from entrepot.fraud_service.pipeline.partitioned import Spread, score_spread
from entrepot.fraud_service.pipeline.scoring import score_frame
from entrepot.pools import OnDemand
from entrepot.spilled_parts import SpilledParts
from tests.support.fraud import training_frame
from tests.support.two_members import later_rows, two_members


def _frame() -> pd.DataFrame:
    return later_rows()


def _ensemble(frame: pd.DataFrame) -> Ensemble:
    return two_members(frame, history=True)


def _scored(frame: pd.DataFrame, ensemble: Ensemble, spread: Spread, **kw: Any) -> Any:
    explained: Explanations = {}
    found, facts = score_spread(
        frame,
        ensemble,
        spread,
        upload=describe(frame),
        explain=True,
        threads=1,
        explained=explained,
        known=kw.get("known"),
    )
    return found, facts, explained


@pytest.mark.parametrize("part_rows", [200, 700])
def test_a_table_past_the_bound_is_scored_in_parts_to_the_same_bits(part_rows: int) -> None:
    frame = _frame()
    ensemble = _ensemble(frame)
    explained: Explanations = {}
    alone = score(frame, ensemble, upload=describe(frame), explained=explained)
    found, facts, in_parts = _scored(frame, ensemble, Spread(part_rows=part_rows))
    pd.testing.assert_frame_equal(found, alone, check_exact=True)
    assert in_parts == explained and explained
    assert facts["spread"] is False and facts["in_process"] is None
    wanted = -(-len(frame) // part_rows)
    assert 1 < facts["parts"] <= wanted and facts["rows_read"] == len(frame)


def test_a_handed_table_is_let_go_once_its_parts_are_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ADR 0123: a table handed over is not held while its parts score; each part waits
    on disk, and the scores and explanations are the bits of the table scored whole."""
    frame = _frame()
    ensemble = _ensemble(frame)
    upload = describe(frame)
    explained: Explanations = {}
    alone = score(frame, ensemble, upload=upload, explained=explained)
    given = frame.copy()
    gone = weakref.ref(given)
    seen: list[bool] = []
    real = partitioned.score_part

    def watched(shared: Any, item: Any) -> Any:
        seen.append(gone() is None)
        return real(shared, item)

    monkeypatch.setattr(partitioned, "score_part", watched)
    spilled: list[SpilledParts[Any]] = []
    made = partitioned.SpilledParts

    def kept() -> SpilledParts[Any]:
        spilled.append(made())
        return spilled[-1]

    monkeypatch.setattr(partitioned, "SpilledParts", kept)
    handed = HandedTable(given)
    del given
    in_parts: Explanations = {}
    found, facts = score_spread(
        handed,
        ensemble,
        Spread(part_rows=300),
        upload=upload,
        explain=True,
        threads=1,
        explained=in_parts,
        known=None,
    )
    pd.testing.assert_frame_equal(found, alone, check_exact=True)
    assert in_parts == explained and explained
    assert seen and all(seen) and facts["parts"] == len(seen) > 1
    assert len(spilled) == 1 and spilled[0].on_disk


def test_a_table_still_held_by_its_caller_is_not_spilled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its parts are taken from it when their turn comes: writing them to disk would free
    nothing."""
    frame = _frame()
    monkeypatch.setattr(partitioned, "SpilledParts", _Refused)
    found, facts, _ = _scored(frame, _ensemble(frame), Spread(part_rows=300))
    assert facts["parts"] > 1 and len(found) == len(frame)


def test_a_table_within_the_bound_is_scored_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame()
    monkeypatch.setattr(partitioned, "Here", _Refused)
    _, facts, _ = _scored(frame, _ensemble(frame), Spread(part_rows=len(frame)))
    assert facts == {"parts": 1, "spread": False, "in_process": None}


def test_late_labels_keep_a_large_table_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The known labels are read over the whole table: no parts, whatever its size."""
    monkeypatch.setattr(partitioned, "Here", _Refused)
    frame = pd.DataFrame({"card": ["a", "b", "c"], "amount": [1.0, 2.0, 3.0]})
    scores = pd.DataFrame({"fraud_probability": [0.1, 0.2, 0.3]})
    monkeypatch.setattr("entrepot.fraud.score.scoring.score", lambda *a, **k: scores)
    spec = SimpleNamespace(customers=("card",), counterparties=())
    ensemble: Any = SimpleNamespace(
        members=[SimpleNamespace(mapping={"card": "card", "amount": "amount"})],
        models=[SimpleNamespace(features=SimpleNamespace(spec=spec))],
        threshold=0.5,
        file_weight=0.0,
    )
    found, facts = score_spread(
        frame,
        ensemble,
        Spread(part_rows=1),
        upload=None,  # type: ignore[arg-type]
        explain=False,
        threads=1,
        explained={},
        known=object(),  # type: ignore[arg-type]
    )
    assert found is scores and facts == {"parts": 1, "spread": False, "in_process": None}


def test_an_evaluation_without_a_pool_is_scored_in_parts_too() -> None:
    """``evaluate`` scores through the same spread: the same figures in parts."""
    frame, target = training_frame()
    frame = frame.iloc[2500:].reset_index(drop=True)
    ensemble = _ensemble(frame.drop(columns=[target]))
    scorer = SimpleNamespace(step="progress.loading_model", choose=lambda *a: ensemble)
    whole = evaluate_table(frame, scorer, target=target)  # type: ignore[arg-type]
    in_parts = evaluate_table(frame, scorer, target=target, spread=Spread(part_rows=300))  # type: ignore[arg-type]
    assert in_parts == whole and whole["metrics"]


def test_items_on_demand_are_made_when_read() -> None:
    made: list[int] = []

    def make(i: int) -> int:
        made.append(i)
        return i * 10

    items = OnDemand(3, make)
    assert len(items) == 3 and made == []
    assert items[1] == 10 and items[-1] == 20 and made == [1, 2]
    assert list(items) == [0, 10, 20] and items[1:] == [10, 20]
    with pytest.raises(IndexError):
        items[3]


class _Refused:
    def __init__(self) -> None:
        raise AssertionError("not to be made here")


def test_a_handed_table_gets_the_figures_of_a_held_one() -> None:
    """``score_frame`` takes what the figures read of a handed table (its labels, its row
    count, the card's row times) before letting it go: the same scores, realised figures,
    estimate and summary as for a table its caller still holds."""
    frame, target = training_frame()
    frame = frame.iloc[2500:].reset_index(drop=True)
    ensemble = _ensemble(frame.drop(columns=[target]))
    scorer: Any = SimpleNamespace(step="progress.loading_model", choose=lambda *a: ensemble)
    spread = Spread(part_rows=300)
    held = score_frame(frame, scorer, label=target, spread=spread)
    handed = score_frame(HandedTable(frame.copy()), scorer, label=target, spread=spread)
    pd.testing.assert_frame_equal(handed.scores, held.scores, check_exact=True)
    assert handed.realised == held.realised and held.realised is not None
    assert handed.estimate == held.estimate and handed.summary == held.summary
    assert handed.explained == held.explained and handed.spread == held.spread
    assert held.spread["parts"] > 1
