"""Members weighed on labels the user already holds (ADR 0045, round 8).

A file scored with a labelled history of the same source (``--history``: earlier
transactions with their label, ``entrepot.fraud.score.known_labels``) lets the fit measure
each candidate member where the label-free facts can only guess: the history is scored as
a file whose labels are known (each row reading only labels at least the model's delay
older than itself, as at scoring), and each member's AUPRC on it is its weight's basis.
Measured on the history's later half (:func:`later_half`). On the Fraud Detection
Handbook's last week with its four labelled weeks before, the
label-free weights gave 0.02 AUPRC (a mobile-money reference fitted the values best) while
the card and retail references reach 0.49-0.64 once they read the history's labels.

The history's fraud rate, counted on its labels, is also the rate the pooled probabilities
are calibrated to: the references' own training rates say nothing of this source.
Only the history is used: analysts' decisions and late labels on the scored rows cover
the rows they chose to review, not a sample of the source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from entrepot.fraud.match.description import Upload, describe
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.file_member import file_scores
from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud.score.scoring import member_scores
from entrepot.fraud.tables.timeparse import parse_times

#: Known frauds in the history from which the members are weighed on it: fewer make an
#: AUPRC that moves by ±0.1 with a handful of rows.
MEASURED_FRAUDS = 30
#: Rows of the history read to find its timestamp column and format.
SAMPLE = 5_000


@dataclass(frozen=True)
class Measured:
    """The candidate members measured on a labelled history."""

    auprc: np.ndarray  # one per member
    probabilities: np.ndarray  # (members, labelled rows)
    labels: np.ndarray  # 1 fraud, 0 legitimate, one per labelled row
    #: The file-fitted member's score on the same rows (``entrepot.fraud.score.file_member``),
    #: or ``None`` when it was not measured.
    file_score: np.ndarray | None = None

    @property
    def file_auprc(self) -> float | None:
        """The file-fitted member's AUPRC on the history (``None``: not measured)."""
        if self.file_score is None:
            return None
        return float(average_precision_score(self.labels, self.file_score))

    @property
    def frauds(self) -> int:
        return int(self.labels.sum())

    @property
    def rate(self) -> float:
        """The history's fraud rate, counted on its labels."""
        return float(self.labels.mean())


def measure(
    ensemble: Ensemble,
    known: KnownLabels | None,
    threads: int = 1,
    upload: Upload | None = None,
) -> Measured | None:
    """Each member's AUPRC on the later half of ``known``'s labelled history, and with
    ``upload`` (the scored file's description, whose columns the history shares) the
    file-fitted member's, fitted on the history as on a file; ``None`` without a history,
    or with fewer than :data:`MEASURED_FRAUDS` frauds or no legitimate row there."""
    if known is None or known.history is None or known.history_labels is None:
        return None
    history = known.history
    known.require_columns(sorted({c for m in ensemble.members for c in m.mapping}))
    labels = np.asarray(known.history_labels, dtype=float)
    kept = np.isfinite(labels)
    if not _enough(labels[kept]):
        return None
    kept &= later_half(history)
    y = labels[kept].astype(int)
    if not _enough(y):
        return None
    past = KnownLabels(rows=labels)  # each history row reads the older ones' labels
    probs, _ = member_scores(history, ensemble, threads=threads, known=past)
    probs = probs[:, kept]
    auprc = np.asarray([average_precision_score(y, p) for p in probs], dtype=float)
    own = None if upload is None else file_scores(history, upload).score[kept]
    return Measured(auprc=auprc, probabilities=probs, labels=y, file_score=own)


def _enough(labels: np.ndarray) -> bool:
    """At least :data:`MEASURED_FRAUDS` frauds and a legitimate row."""
    frauds = int(np.sum(labels == 1))
    return frauds >= MEASURED_FRAUDS and frauds < len(labels)


def later_half(history: pd.DataFrame) -> np.ndarray:
    """The history's rows from its median time on (by its timestamp column, else by row
    order): the rows that have earlier labels to read. A row of the history's first days
    reads none (every label is younger than the delay), so its compromised terminals
    look clean and the members measure lower there than on the file that follows (on the
    handbook's four weeks: 0.35 over all rows, against 0.64 on the next week)."""
    rows = len(history)
    upload = describe(history.head(SAMPLE))
    column = upload.analysis.timestamp
    fmt = None if column is None else upload.time_format(column)
    if column is None or fmt is None:
        return np.arange(rows) >= rows // 2
    times = parse_times(history[column], fmt)
    middle = times.median()
    if pd.isna(middle):
        return np.arange(rows) >= rows // 2
    later: np.ndarray = (times >= middle).to_numpy(dtype=bool)
    return later
