"""Which of a table's parts have had their scores put back, and the columns the first came
with: the bookkeeping the scores merged in memory (``merged_scores``) and the scores held
on disk (``spilled_scores``) both keep, so that a part is put once, with its own rows and
the first part's columns, and the scores are read only once every part is in."""

from __future__ import annotations

import pandas as pd

__all__ = ["PartsPut"]


class PartsPut:
    """The parts of a table of ``parts`` parts whose scores were put."""

    def __init__(self, parts: int) -> None:
        self._parts = parts
        self._put: set[int] = set()
        #: The first part's columns, every part's after (``None`` until one is put).
        self.names: pd.Index | None = None

    def check(self, number: int, scores: pd.DataFrame, rows: int) -> None:
        """Refuse part ``number``'s ``scores`` put twice, of other than its ``rows`` own
        rows, or with other columns than the first part's."""
        if number in self._put:
            raise ValueError(f"the scores of part {number} were put twice")
        if len(scores) != rows:
            raise ValueError(f"part {number} scored {len(scores)} rows, not its {rows}")
        if self.names is None:
            self.names = scores.columns
        elif not scores.columns.equals(self.names):
            raise ValueError(f"part {number} scored other columns than the first part")

    def done(self, number: int) -> None:
        """Part ``number``'s scores are in."""
        self._put.add(number)

    @property
    def every(self) -> bool:
        """Whether every part's scores are in."""
        return len(self._put) == self._parts

    def complete(self) -> pd.Index:
        """The scores' columns, once every part is in; else which parts never were."""
        missing = set(range(self._parts)) - self._put
        if self.names is None or missing:
            raise ValueError(f"the scores of parts {sorted(missing)} were never put")
        return self.names
