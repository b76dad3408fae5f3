"""What a table's parts' scores must read back as, computed apart from the code that
merges or holds them (``fraud.score.merged_scores``, ``fraud.score.spilled_scores``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from entrepot.fraud.score.partitions import Part


def scored_of(table: pd.DataFrame, parts: list[Part]) -> list[pd.DataFrame]:
    """Each part's own rows of ``table``, as a part's scores come back."""
    return [table.take(part.rows[part.own]).reset_index(drop=True) for part in parts]


def joined_back(scored: list[pd.DataFrame], parts: list[Part]) -> pd.DataFrame:
    """Every part's scores joined, sorted back by row, ``row`` numbered from 1."""
    expected = pd.concat(scored, ignore_index=True)
    expected.index = np.concatenate([part.rows[part.own] for part in parts])
    expected = expected.sort_index().reset_index(drop=True)
    expected["row"] = np.arange(1, len(expected) + 1)
    return expected
