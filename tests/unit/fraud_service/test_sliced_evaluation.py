"""A large CSV evaluated from its slices on disk, never whole in memory (issue 40 item 3;
ADR 0130): the figures of the table read whole, its refusals the whole read's."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.errors import FraudError
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.tables import io
from entrepot.fraud.tables.csv_sliced import sliced_csv_file
from entrepot.fraud.tables.io import read_table
from entrepot.fraud.tables.sliced import SlicedTable
from entrepot.fraud_service.pipeline import evaluation
from entrepot.fraud_service.pipeline.evaluation import evaluate_file, evaluate_table
from entrepot.fraud_service.pipeline.partitioned import Spread
from tests.support.fraud import trained, training_frame
from tests.support.sliced_scoring import ROWS, FittedScorer, GivenScorer, later_file, sliced
from tests.support.two_members import two_members


def _one_model(frame: pd.DataFrame) -> Ensemble:
    return from_model(trained("lightgbm"), {}, {}, describe(frame), name="m", version="1")


@pytest.mark.parametrize("members", ["one model", "two members"])
@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("part_rows", [300, 5000])
def test_a_sliced_table_evaluates_as_the_table_read_whole(
    tmp_path: Path, members: str, named: bool, part_rows: int
) -> None:
    path, target = later_file(tmp_path)
    whole = read_table(path)
    unlabelled = whole.drop(columns=[target])
    made = (
        _one_model(unlabelled) if members == "one model" else two_members(unlabelled, history=True)
    )
    scorer = GivenScorer(made, target)
    spread = Spread(part_rows=part_rows)
    given = target if named else None
    expected = evaluate_table(whole, scorer, target=given, spread=spread)
    table = sliced(path)
    found = evaluate_file(table, scorer, target=given, spread=spread)
    assert found == expected and found["target"] == target
    assert found["metrics"]["rows"] == 1500 and len(found["member_auprc"]) == len(made.members)
    with pytest.raises(OSError, match="closed"):
        table.column(target)  # the slices let go once evaluated


def test_a_sliced_table_is_read_whole_where_the_scorer_reads_its_rows(tmp_path: Path) -> None:
    path, target = later_file(tmp_path)
    whole = read_table(path)
    scorer = FittedScorer(two_members(whole.drop(columns=[target]), history=True), target)
    spread = Spread(part_rows=300)
    expected = evaluate_table(whole, scorer, target=None, spread=spread)
    with sliced(path) as table:
        found = evaluation.evaluate_sliced(table, scorer, target=None, spread=spread)
    assert found == expected


def _refusal(call: Any) -> FraudError:
    with pytest.raises(FraudError) as refused:
        call()
    return refused.value


@pytest.mark.parametrize("case", ["no such column", "one class", "one class labelled", "no label"])
def test_a_sliced_table_is_refused_as_the_table_read_whole_before_any_row_is_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    whole, target = training_frame()
    frame = whole.iloc[2500:].copy()
    given: str | None = target
    if case == "no such column":
        given = "is_fraud_typo"
    elif case == "one class":
        frame[target] = 0
    elif case == "one class labelled":  # frauds among the unlabelled rows only
        frame[target] = np.where(np.arange(len(frame)) % 50 == 0, np.nan, 0.0)
    else:
        frame = frame.drop(columns=[target])
        given = None
    path, _ = later_file(tmp_path, frame)
    unlabelled = read_table(path).drop(columns=[target], errors="ignore")
    scorer = GivenScorer(_one_model(unlabelled), target)
    expected = _refusal(lambda: evaluate_table(read_table(path), scorer, target=given))

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a row scored before the labels were checked")

    monkeypatch.setattr(evaluation, "evaluate_table", never)  # never read whole instead
    from entrepot.fraud_service.pipeline import partitioned

    monkeypatch.setattr(partitioned, "score_spread", never)
    with sliced(path) as table:
        found = _refusal(lambda: evaluation.evaluate_sliced(table, scorer, target=given))
    assert type(found) is type(expected)
    assert str(found) == str(expected) and found.said == expected.said


def test_the_evaluate_command_reads_a_large_csv_in_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local door (``entrepot fraud evaluate``) hands a large CSV's slices to the
    evaluation, and gives the figures of the same file read whole."""
    from entrepot.bootstrap.local_fraud import local_fraud

    path, target = later_file(tmp_path)
    fraud = local_fraud(None)
    scorer = GivenScorer(_one_model(read_table(path).drop(columns=[target])), target)
    monkeypatch.setattr(type(fraud), "scorer", lambda self, choice, count_use=True: scorer)

    def evaluated() -> dict[str, Any]:
        return fraud.evaluate(path, model="m", ensemble=False, library=None, user=None, target=None)

    expected = evaluated()
    seen: list[object] = []
    slicing = partial(sliced_csv_file, rows=ROWS, whole_below=0)

    def read(path: Path) -> Any:
        seen.append(found := slicing(path))
        return found

    monkeypatch.setattr(io, "sliced_csv_file", read)
    found = evaluated()
    assert len(seen) == 1 and isinstance(seen[0], SlicedTable)
    assert found == expected and found["target"] == target
