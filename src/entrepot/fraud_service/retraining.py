"""The rows analysts labelled, gathered as training rows for a model's next version.

Each decision names a row (from 1) of a prediction made with the model; the row is read
back from the dataset that prediction scored, given the training file's columns (a
column the scored file lacks is missing) and the label in the training file's own values
(the fraud value for 1, the legitimate one for 0). Decisions on a prediction whose
dataset was deleted cannot be read back and are left out (counted in ``skipped``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import RecordNotFound
from entrepot.fraud.schema.target import label_vector, score_candidate
from entrepot.fraud_service.dataset_tables import read_dataset
from entrepot.fraud_service.datasets import DatasetService


@dataclass(frozen=True)
class FeedbackRows:
    """The labelled rows, and how many decisions could not be read back."""

    frame: pd.DataFrame
    skipped: int


def label_values(frame: pd.DataFrame, target: str) -> tuple[object, object]:
    """The training label's ``(fraud, legitimate)`` values."""
    candidate = score_candidate(frame, target)
    if candidate is None:
        raise ValueError(f"{target!r} is not a two-valued label")
    y = label_vector(frame[target], candidate.positive)
    legitimate = frame[target].to_numpy()[np.flatnonzero(y == 0)[0]]
    return candidate.positive, legitimate


def count_decisions(uow_factory: UnitOfWorkFactory, user_id: int, model_name: str) -> int:
    """How many rows analysts labelled on predictions of ``model_name``."""
    with uow_factory() as uow:
        return sum(len(v) for v in uow.feedback.of_model(user_id, model_name).values())


def gather(
    uow_factory: UnitOfWorkFactory,
    datasets: DatasetService,
    user_id: int,
    model_name: str,
    training: pd.DataFrame,
    target: str,
    training_sha256: str = "",
) -> FeedbackRows:
    """The labelled rows of ``model_name``'s predictions, as rows of ``training``; rows of
    the training file itself (same bytes) are left out: they are labelled already, and
    some are test rows, which must not be trained on."""
    with uow_factory() as uow:
        decided = uow.feedback.of_model(user_id, model_name)
        scored = uow.feedback.datasets(decided)
    fraud, legitimate = label_values(training, target)
    parts, skipped = [], 0
    for prediction_id, decisions in decided.items():
        dataset_id = scored.get(prediction_id)
        if dataset_id is None:
            skipped += len(decisions)
            continue
        try:
            record = datasets.get(user_id, dataset_id)
        except RecordNotFound:  # deleted since
            skipped += len(decisions)
            continue
        if record.sha256 == training_sha256:
            skipped += len(decisions)
            continue
        with datasets.local_copy(user_id, record) as path:
            frame = read_dataset(path, record)
        inside = [d for d in decisions if d.row <= len(frame)]
        skipped += len(decisions) - len(inside)
        part = frame.iloc[[d.row - 1 for d in inside]].reindex(columns=training.columns)
        part[target] = [fraud if d.label == 1 else legitimate for d in inside]
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True) if parts else training.iloc[0:0]
    return FeedbackRows(rows, skipped)
