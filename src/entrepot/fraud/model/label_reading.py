"""The features that read past labels (a counterparty's recent fraud rate), computed
alone: the training's replay of its test period hides the test rows' own labels, and only
these features change (:func:`~entrepot.fraud.train.replay.replayed_matrix`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from entrepot.fraud.model.entity_features import counterparty_block_parts, entity_codes
from entrepot.fraud.model.features import FeatureBuilder
from entrepot.fraud.tables.values import entity_keys

#: A feature that reads past labels (a counterparty's recent fraud rate).
READS_LABELS = re.compile(r"counterparty\d+_risk_\d+d")


def label_features(
    builder: FeatureBuilder,
    frame: pd.DataFrame,
    labels: np.ndarray,
    rows: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The features of the rows of ``frame`` (no history) that read past labels
    (:data:`READS_LABELS`: the counterparties' fraud rates), reading ``labels`` (1.0, 0.0,
    NaN), as :meth:`FeatureBuilder.matrix` makes them; the counterparties' counts, which
    read no label, are not made. ``rows``: those of the rows at these positions alone, in
    this order (every row still read as history)."""
    spec = builder.spec
    if spec.timestamp is None or not spec.counterparties:
        return {}
    seconds = builder.seconds(frame)
    assert seconds is not None  # the spec has a time column
    y = np.asarray(labels, dtype=float)
    read = y if builder.uses_labels and bool(np.isfinite(y).any()) else None
    out: dict[str, np.ndarray] = {}
    for i, col in enumerate(spec.counterparties):
        column = frame[col] if col in frame.columns else pd.Series(np.nan, index=frame.index)
        codes = entity_codes(entity_keys(column))
        made = counterparty_block_parts(
            builder, codes, seconds, read, f"counterparty{i}", counts=False, at=rows
        )
        out.update(made)
    return out
