"""The later rows of the training schema and an ensemble of two members of different
families reading them (the scoring tests that cut a table in parts)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from tests.support.fraud import trained, training_frame


def later_rows() -> pd.DataFrame:
    """Later rows of the training schema, without the label: the models' kept history
    continues into them."""
    frame, target = training_frame()
    return frame.drop(columns=[target]).iloc[2500:].reset_index(drop=True)


def two_members(frame: pd.DataFrame, *, history: bool) -> Ensemble:
    """Two members of different families, sharing ``frame``'s columns, weighed alike."""
    members, models = [], []
    for kind in ("lightgbm", "logistic_regression"):
        model = trained(kind)
        one = from_model(model, {}, {}, describe(frame), name=kind, version="1")
        mapping = {c: c for c in model.input_columns if c in frame.columns}
        members.append(replace(one.members[0], mapping=mapping, history=history, weight=0.5))
        models.append(model)
    return Ensemble(tuple(members), tuple(models), one.created)
