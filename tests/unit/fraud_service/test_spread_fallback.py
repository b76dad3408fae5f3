"""A scoring asked to spread over workers stays in process, and says why with a message
key, when the models read no entity or read late labels (issue 40, item 3)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from entrepot.fraud.score import scoring
from entrepot.fraud_service.pipeline.partitioned import (
    FILE_MEMBER,
    LATE_LABELS,
    NO_ENTITY,
    Spread,
    score_spread,
)


class _Refusing:
    def run(self, task: Any, shared: Any, items: Any) -> list[Any]:
        raise AssertionError("the pool must not be used")


def _ensemble(customers: tuple[str, ...], file_weight: float = 0.0) -> Any:
    spec = SimpleNamespace(customers=customers, counterparties=())
    model = SimpleNamespace(features=SimpleNamespace(spec=spec))
    member = SimpleNamespace(mapping={"card": "card", "amount": "amount"})
    return SimpleNamespace(members=[member], models=[model], threshold=0.5, file_weight=file_weight)


@pytest.mark.parametrize(
    ("customers", "known", "file_weight", "why"),
    [
        ((), None, 0.0, NO_ENTITY),
        (("card",), object(), 0.0, LATE_LABELS),
        (("card",), None, 0.3, FILE_MEMBER),  # a member fitted on the whole file
    ],
)
def test_it_scores_in_process_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
    customers: tuple[str, ...],
    known: Any,
    file_weight: float,
    why: str,
) -> None:
    frame = pd.DataFrame({"card": ["a", "b"], "amount": [1.0, 2.0]})
    scores = pd.DataFrame({"fraud_probability": [0.1, 0.2]})
    monkeypatch.setattr(scoring, "score", lambda *a, **k: scores)
    found, facts = score_spread(
        frame,
        _ensemble(customers, file_weight),
        Spread(_Refusing(), 2),
        upload=None,  # type: ignore[arg-type]
        explain=False,
        threads=1,
        explained={},
        known=known,
    )
    assert found is scores
    assert facts == {"parts": 1, "spread": False, "in_process": why}
    assert why.startswith("fraud.spread.")
