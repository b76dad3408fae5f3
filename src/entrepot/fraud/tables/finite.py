"""Infinite numbers read as missing values, and counted so the analysis can say so.

Parquet stores ``inf`` and ``-inf`` and CSV readers parse ``inf``; no fraud model learns
from them, and some refuse them. The readers replace them by missing values (as ``NaN``
already is) and record how many each column held in the frame's ``attrs`` under
:data:`INFINITIES`; :func:`infinities` reads them back for the analysis's warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Key of ``DataFrame.attrs``: ``{column: count of infinite values read as missing}``.
INFINITIES = "entrepot_infinities"


def infinities_as_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the infinite values of its float columns as missing, counted."""
    counts: dict[str, int] = {}
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if not pd.api.types.is_float_dtype(values):
            continue
        infinite = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
        count = int(infinite.sum())
        if count:
            frame.isetitem(position, values.mask(infinite))
            counts[str(column)] = count
    if counts:
        frame.attrs[INFINITIES] = {**infinities(frame), **counts}
    return frame


def infinities(frame: pd.DataFrame) -> dict[str, int]:
    """The infinite values each column held before they were read as missing."""
    found = frame.attrs.get(INFINITIES)
    return dict(found) if isinstance(found, dict) else {}
