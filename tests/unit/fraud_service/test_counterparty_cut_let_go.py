"""A table scored in two cuts lets go of the counterparty cut (its parts' rows, and each
row's part in the customer cut: a byte a row of the table) once the counterparty features
are made, before the customer cut's parts score (issue 40 item 3): the same scores, less
held through the scoring's peak."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from entrepot.fraud.score import counterparty_cut, partitions, sliced_cut
from tests.support.sliced_scoring import TwoMemberScoring, alive_at_each_part


@pytest.mark.parametrize("where", ["sliced", "in memory"])
def test_the_counterparty_cut_is_let_go_before_the_customer_parts_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    run = TwoMemberScoring.of(tmp_path, part_rows=300)
    expected = run.scored("in memory")

    watched: list[weakref.ref[np.ndarray]] = []
    cuts: list[int] = []
    arrays: list[int] = []  # how many arrays of the counterparty cut are watched
    cut_by_entity = partitions.cut_by_entity

    def cut(frame: Any, own: Any, around: Any, parts: int, **kwargs: Any) -> Any:
        found = cut_by_entity(frame, own, around, parts, **kwargs)
        cuts.append(len(found))
        if len(cuts) == 2:  # the counterparty cut (the customer cut is made first)
            watched.extend(weakref.ref(part.rows) for part in found)
            arrays.append(len(found))
        return found

    # a table on disk is cut a slice at a time (ADR 0137): each part's rows in each slice
    cut_in_slices, routed = sliced_cut.cut_in_slices, sliced_cut._routed
    pieces: list[weakref.ref[np.ndarray]] = []

    def sliced(table: Any, columns: Any, parts: int) -> Any:
        before = len(pieces)
        found = cut_in_slices(table, columns, parts)
        cuts.append(len(found))
        if len(cuts) == 2:
            watched.extend(pieces[before:])
            arrays.append(len(pieces) - before)
        return found

    def routing_rows(*args: Any, **kwargs: Any) -> Any:
        for rows in routed(*args, **kwargs):
            pieces.extend(weakref.ref(array) for array in rows)
            yield rows

    made = counterparty_cut.RoutedMade.__init__

    def routing(self: Any, parts: Any, total: int) -> None:
        made(self, parts, total)
        watched.append(weakref.ref(self._owner))

    alive = alive_at_each_part(monkeypatch, watched)
    monkeypatch.setattr(partitions, "cut_by_entity", cut)
    monkeypatch.setattr(sliced_cut, "cut_in_slices", sliced)
    monkeypatch.setattr(sliced_cut, "_routed", routing_rows)
    monkeypatch.setattr(counterparty_cut.RoutedMade, "__init__", routing)
    found = run.scored(where)
    assert found.spread["cuts"] == 2 and len(cuts) == 2 and cuts[1] > 1
    assert arrays[0] >= cuts[1] and len(watched) == arrays[0] + 1
    assert alive and alive == [0] * len(alive)  # none held by any customer part's scoring
    assert found.scores.equals(expected.scores)
