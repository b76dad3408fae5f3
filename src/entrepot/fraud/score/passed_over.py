"""What the analysts' decisions say of the rows they did not decide (issue 41 item 3).

Analysts decide the rows they choose to review, the highest-scored first: their decisions
are not a sample of the file. Read as they are, a terminal's recent fraud rate becomes its
frauds among the reviewed rows (near 1 for any terminal a fraud was confirmed on, where
training learnt rates over every row, near 0.01), and a model reading it flags many more
rows; a reference pool measured on them sees a fraud rate many times the file's.

Decisions are therefore read for what they are: the decided rows' own outcome, and of the
rows the analysts passed over, up to the newest decided row in time, that no one found a
fraud among them, as a chargeback-fed label says of a transaction without a chargeback
(legitimate until told otherwise). Rows later than the newest decision stay unknown: no
analyst has looked that far yet. The rows taken as legitimate are counted and said
(``passed_over`` in the summary's ``known_labels``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from entrepot.fraud.match.description import Upload
from entrepot.fraud.model.features import FeatureSpec
from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud.tables.timeparse import parse_times


def row_times(frame: pd.DataFrame, upload: Upload) -> np.ndarray:
    """Each row's place in time: its timestamp in seconds where the file has one (NaN where
    missing), else its position (a file without time is read in its order)."""
    spec = FeatureSpec.from_analysis(upload.analysis)
    if spec.timestamp is None or spec.time_format is None or spec.timestamp not in frame:
        return np.arange(len(frame), dtype=float)
    times = parse_times(frame[spec.timestamp], spec.time_format)
    seconds = times.to_numpy(dtype="datetime64[s]").astype(np.int64).astype(float)
    return np.where(times.isna().to_numpy(), np.nan, seconds)


def with_passed_over(known: KnownLabels, times: np.ndarray) -> KnownLabels:
    """``known`` with the undecided rows up to the newest decided one in time taken as
    legitimate (0.0); unchanged when no row is decided."""
    if known.rows is None:
        return known
    rows = np.asarray(known.rows, dtype=float)
    decided = np.isfinite(rows)
    if not decided.any() or not np.isfinite(times[decided]).any():
        return known
    newest = np.nanmax(times[decided])
    passed = ~decided & np.isfinite(times) & (times <= newest)
    if not passed.any():
        return known
    out = rows.copy()
    out[passed] = 0.0
    return replace(known, rows=out, passed_over=int(passed.sum()))
