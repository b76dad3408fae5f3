"""Labels known when a file is scored: late labels (ADR 0039, 0046).

Chargebacks and analysts' decisions arrive days after a transaction. A scored file can be
given the labels known so far: a label per scored row (``rows``: 1.0 fraud, 0.0
legitimate, NaN not known yet; the analysts' confirmed rows, or the file's own label
column where filled), and earlier labelled rows of the same source (``history``: a
labelled file with the scored file's columns). Members whose features read past labels (a
counterparty's recent fraud rate, ``counterparty*_risk_*``) then read them; as at
training, a row reads only the labels of rows at least the model's label delay older than
itself, never its own nor a later one. The history rows also count in the behaviour
windows (a customer's 30-day count) of the scored rows, as earlier rows of one file do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from entrepot.fraud.errors import FraudError, MissingColumns
from entrepot.fraud.schema.analysis import analyze, require_target
from entrepot.fraud.schema.target import label_vector
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class KnownLabels:
    """Labels known at scoring time: on the scored rows, and on earlier rows."""

    #: One label per scored row (1.0, 0.0, NaN unknown), or ``None``: none known.
    rows: np.ndarray | None = None
    #: Earlier rows with the scored file's columns (without their label), or ``None``.
    history: pd.DataFrame | None = None
    #: The labels of ``history`` (1.0, 0.0, NaN).
    history_labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        if (self.history is None) != (self.history_labels is None):
            raise ValueError("history rows and their labels go together")
        history, labels = self.history, self.history_labels
        if history is not None and labels is not None and len(history) != len(labels):
            raise ValueError("one label per history row")

    @property
    def count(self) -> int:
        """How many labels are known (on scored and history rows)."""
        known = 0
        for labels in (self.rows, self.history_labels):
            if labels is not None:
                known += int(np.isfinite(np.asarray(labels, dtype=float)).sum())
        return known

    def frauds(self) -> int:
        """How many of the known labels are frauds."""
        return sum(
            int(np.nansum(np.asarray(labels, dtype=float)))
            for labels in (self.rows, self.history_labels)
            if labels is not None
        )

    def joined(self, frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
        """``columns`` of the history rows then of ``frame``'s, and the labels of both
        (the history first: its rows are dropped from the features after)."""
        rows = np.full(len(frame), np.nan) if self.rows is None else self.rows
        if len(rows) != len(frame):
            raise ValueError(f"{len(rows)} known labels for {len(frame)} scored rows")
        if self.history is None or self.history_labels is None:
            return frame[columns].reset_index(drop=True), np.asarray(rows, dtype=float)
        self.require_columns(columns)
        both = pd.concat([self.history[columns], frame[columns]], ignore_index=True)
        labels = np.concatenate([np.asarray(self.history_labels, float), np.asarray(rows, float)])
        return both, labels

    def require_columns(self, columns: list[str]) -> None:
        """Raise :class:`MissingColumns` naming the ``columns`` the history lacks."""
        if self.history is None:
            return
        missing = [c for c in columns if c not in self.history.columns]
        if missing:
            raise MissingColumns(
                "the labelled history lacks columns of the scored file: " + ", ".join(missing),
                said=Message(
                    N_("error.fraud.history_lacks_columns"), {"columns": ", ".join(missing)}
                ),
            )

    @property
    def history_rows(self) -> int:
        """How many history rows come before the scored ones."""
        return 0 if self.history is None else len(self.history)


def labelled_history(frame: pd.DataFrame, target: str | None = None) -> KnownLabels:
    """The labels of a labelled file of earlier transactions (its label column found as
    training finds it, or ``target``); raises when it has no label."""
    frame = frame.rename(columns=str)
    history, y = own_labels(frame, target)
    if not np.isfinite(y).any():
        raise FraudError(
            "the history file's label column is empty: it gives no known label",
            hint="give a file of earlier transactions whose label column is filled",
            said=Message(N_("error.fraud.history_labels_empty")),
        )
    return KnownLabels(history=history, history_labels=y)


def own_labels(frame: pd.DataFrame, target: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """A scored file's own label column as late labels: the file without it, and a label
    per row (empty cells: not known yet)."""
    frame = frame.rename(columns=str)
    if target is not None and target in frame.columns and _zero_one(frame[target]):
        # Labels known so far may all be one class (no chargeback yet): 1 is a fraud.
        return frame.drop(columns=[target]), label_vector(frame[target], 1)
    analysis = analyze(frame, target=target)
    label = require_target(analysis)
    return frame.drop(columns=[label]), label_vector(frame[label], analysis.positive)


def _zero_one(series: pd.Series) -> bool:
    """Whether ``series`` holds only 0 and 1 (or booleans) and missing cells."""
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        return False
    values = set(series.dropna().astype(float).unique().tolist())
    return values <= {0.0, 1.0}
