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
from entrepot.fraud.train.splits import Splits


def hidden(y: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``y`` as floats with the labels of ``rows`` unknown (NaN)."""
    out = np.asarray(y, dtype=float).copy()
    out[rows] = np.nan
    return out


def replayed_features(
    builder: FeatureBuilder, data: pd.DataFrame, y: np.ndarray, splits: Splits
) -> pd.DataFrame:
    """The features of every row of ``data``, each computed from what is known when it
    would be scored (see the module's docstring); gap rows as training rows."""
    if not builder.uses_labels:
        return builder.transform_labelled(data, y)
    known = np.zeros(len(y), dtype=bool)
    known[splits.train] = True
    before = builder.transform_labelled(data, np.where(known, np.asarray(y, float), np.nan))
    after = builder.transform_labelled(data, hidden(y, splits.test))
    out = before.copy()
    out.iloc[splits.test] = after.iloc[splits.test].to_numpy()
    return out
