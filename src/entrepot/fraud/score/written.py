"""A scoring's scores written to a file, as CSV, Parquet or XLSX by its suffix: a frame
at once, or scores held on disk (``fraud.score.spilled_scores``, ADR 0129) a slice at a
time where the file is CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from entrepot.fraud.score.spilled_scores import SpilledScores
from entrepot.fraud.tables.io import write_table

__all__ = ["write_scores"]


def write_scores(scores: pd.DataFrame | SpilledScores, path: str | Path) -> Path:
    """Write ``scores`` as CSV, Parquet or XLSX by the suffix of ``path``, atomically: the
    same bytes whether they are one frame or held on disk."""
    return scores.write(path) if isinstance(scores, SpilledScores) else write_table(scores, path)
