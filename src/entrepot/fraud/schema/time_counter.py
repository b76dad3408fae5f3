"""An integer counter of time (``step``, ``hour_index``, ``day``...), for a table without a
timestamp: whole numbers, named so, that repeat over many rows (PaySim's ``step`` counts
hours). It orders the split when there is no timestamp (ADR 0039); the analysis says so
instead of announcing a random split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from entrepot.fraud.schema.roles import ColumnProfile

#: Names of integer counters of time (lower case, words joined by ``_``).
COUNTER_NAMES = frozenset(
    {"step", "time_step", "timestep", "hour_index", "hour_idx", "hour_number", "period"}
    | {"day", "day_index", "day_idx", "day_number", "days", "jour", "num_jour", "etape"}
)
#: Share of rows the counter must cover to be used.
COVERED = 0.95


def normal(name: str) -> str:
    """``name`` in lower case, its words joined by ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def time_counter(
    frame: pd.DataFrame, columns: Sequence[ColumnProfile]
) -> tuple[str, np.ndarray] | None:
    """The first counter of time among ``columns`` (never the label, a leak or an id) and
    its values as floats (NaN where missing), or ``None``."""
    for col in columns:
        if col.role in ("target", "leak", "id") or normal(col.name) not in COUNTER_NAMES:
            continue
        numbers = pd.to_numeric(frame[col.name], errors="coerce")
        present = numbers.dropna()
        if len(present) < COVERED * len(frame) or present.nunique() < 3:
            continue
        if not np.all(present.to_numpy() == np.round(present.to_numpy())):
            continue
        if present.nunique() >= 0.98 * len(present):  # one value a row: an index, not time
            continue
        return col.name, numbers.to_numpy(dtype=float)
    return None
