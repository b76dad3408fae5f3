"""What the tests of a large CSV scored or evaluated from its slices on disk share
(``test_sliced_scoring``, ``test_sliced_evaluation``): the file of later rows, its slices,
and scorers that give the ensemble they were made with."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.tables.csv_sliced import sliced_csv_file
from entrepot.fraud.tables.numbers import SAMPLE
from entrepot.fraud.tables.sliced import SlicedTable
from tests.support.fraud import training_frame

#: Rows a slice holds here: three slices of the file, past what the text check reads.
ROWS = SAMPLE + 100
#: The rows of the later file (``training_frame``'s after its first 2,500).
LATER_ROWS = 1500


@dataclass(frozen=True)
class GivenScorer:
    """A scorer that gives the ensemble it was made with, from the columns it is shown
    (never the ``label``'s, when one is named)."""

    ensemble: Ensemble
    label: str | None = None
    step: ClassVar[str] = "progress.loading_model"
    reads_rows: ClassVar[bool] = False

    def choose(self, frame: Any, upload: Any, known: Any, what: str) -> Ensemble:
        if self.label is not None:
            assert self.label not in frame.columns and self.label not in upload.columns
        assert set(self.ensemble.members[0].mapping) <= set(frame.columns)
        return self.ensemble


class FittedScorer(GivenScorer):
    """One that reads the file's rows to choose (as a pool fitted to the file): it is
    shown the rows themselves, not their names."""

    reads_rows: ClassVar[bool] = True

    def choose(self, frame: Any, upload: Any, known: Any, what: str) -> Ensemble:
        assert len(frame) == upload.rows == LATER_ROWS
        return super().choose(frame, upload, known, what)


def later_file(tmp_path: Path, frame: pd.DataFrame | None = None) -> tuple[Path, str]:
    """``frame`` (else the training frame's later rows) as ``later.csv``, and the label."""
    whole, target = training_frame()
    path = tmp_path / "later.csv"
    (whole.iloc[2500:] if frame is None else frame).to_csv(path, index=False)
    return path, target


def sliced(path: Path) -> SlicedTable:
    """The CSV at ``path`` read in three slices of :data:`ROWS` rows."""
    found = sliced_csv_file(path, rows=ROWS, whole_below=0)
    assert isinstance(found, SlicedTable) and found.slices == 3
    return found


@dataclass(frozen=True)
class TwoMemberScoring:
    """The later file scored by a two-member ensemble (history read) in parts of
    ``part_rows`` rows, from its slices on disk (``where="sliced"``) or read whole."""

    path: Path
    target: str
    scorer: GivenScorer
    part_rows: int

    @classmethod
    def of(cls, tmp_path: Path, part_rows: int) -> TwoMemberScoring:
        from entrepot.fraud.tables.io import read_table
        from tests.support.two_members import two_members

        path, target = later_file(tmp_path)
        whole = read_table(path).drop(columns=[target])
        return cls(path, target, GivenScorer(two_members(whole, history=True)), part_rows)

    def scored(self, where: str) -> Any:
        """The scoring's outcome (``pipeline.scoring.ScoringOutcome``)."""
        from entrepot.fraud.tables.io import read_table
        from entrepot.fraud_service.pipeline.partitioned import Spread
        from entrepot.fraud_service.pipeline.scoring import score_frame

        spread = Spread(part_rows=self.part_rows)
        if where == "sliced":
            with sliced(self.path) as table:
                return score_frame(table, self.scorer, label=self.target, spread=spread)
        return score_frame(read_table(self.path), self.scorer, label=self.target, spread=spread)


def alive_at_each_part(monkeypatch: Any, watched: list[weakref.ref[Any]]) -> list[int]:
    """How many of ``watched`` are alive as each customer part starts to score (after a
    collection), as the scorings in memory and on disk find ``score_part``: the list
    grows as the parts score."""
    from entrepot.fraud_service.pipeline import part_tasks, partitioned

    alive: list[int] = []
    score_part = part_tasks.score_part

    def scoring(shared: Any, item: Any) -> Any:
        gc.collect()
        alive.append(sum(ref() is not None for ref in watched))
        return score_part(shared, item)

    monkeypatch.setattr(part_tasks, "score_part", scoring)  # as the sliced path finds it
    monkeypatch.setattr(partitioned, "score_part", scoring)  # as the in-memory path does
    return alive
