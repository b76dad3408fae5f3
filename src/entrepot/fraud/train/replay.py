"""Features of the evaluated rows as scoring will compute them (ADR 0039).

At scoring time a row's features read the uploaded rows before it and the labels known
then: those of the training file older than the row minus the label delay, never the
scored file's own. The evaluation replays that: the validation rows are featured as if
scored after the training rows (their own labels hidden), and the test rows as if scored
after everything before them (training, validation and gap rows: their labels known, the
test rows' own hidden). Training rows see the training labels only. So the test figure is
what scoring the next period gives, not a figure helped by labels scoring never has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from entrepot.fraud.model.features import FeatureBuilder
from entrepot.fraud.model.label_reading import READS_LABELS, label_features
from entrepot.fraud.tables.handed import HandedTable, taken
from entrepot.fraud.train.splits import Splits


def hidden(y: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``y`` as floats with the labels of ``rows`` unknown (NaN)."""
    out = np.asarray(y, dtype=float).copy()
    out[rows] = np.nan
    return out


def replayed_features(
    builder: FeatureBuilder, data: pd.DataFrame, y: np.ndarray, splits: Splits
) -> pd.DataFrame:
    """:func:`replayed_matrix` as a frame of named features."""
    return pd.DataFrame(
        replayed_matrix(builder, data, y, splits), columns=builder.feature_names_, copy=False
    )


def replayed_matrix(
    builder: FeatureBuilder,
    data: pd.DataFrame | HandedTable,
    y: np.ndarray,
    splits: Splits,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """The features of every row of ``data`` ``(rows, features)``, each computed from what
    is known when it would be scored (see the module's docstring); gap rows as training
    rows. One matrix is built: the test rows differ only in the features that read labels,
    and those alone are computed again with the test rows' own labels hidden (first: a
    table handed over, :mod:`entrepot.fraud.tables.handed`, loses each column as the
    matrix is filled). ``rows``: only these rows, in this order, in C order
    (:meth:`FeatureBuilder.matrix`)."""
    frame, handed = taken(data)
    if not builder.uses_labels:
        labelled = np.asarray(y, float)
        return builder.matrix(frame, history=False, labels=labelled, rows=rows, consume=handed)
    known = np.zeros(len(y), dtype=bool)
    known[splits.train] = True
    labels = np.where(known, np.asarray(y, float), np.nan)
    test = np.asarray(splits.test)
    reading = [j for j, name in enumerate(builder.feature_names_) if READS_LABELS.fullmatch(name)]
    after: dict[str, np.ndarray] = {}
    places = test
    if len(test) and reading:
        at = test
        if rows is not None:  # the test rows' places among ``rows``
            slot = np.full(len(frame), -1, dtype=np.int64)
            slot[rows] = np.arange(len(rows))
            places = slot[test]
            at, places = test[places >= 0], places[places >= 0]
            del slot
        after = label_features(builder, frame, hidden(y, test), rows=at)
    x = builder.matrix(frame, history=False, labels=labels, rows=rows, consume=handed)
    for j in reading if after else ():
        x[places, j] = after[builder.feature_names_[j]]
    return x
