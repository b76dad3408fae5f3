"""Evaluation on a labelled file, as a job (``POST /api/evaluate``, ``entrepot fraud
evaluate`` on a deployed service): the file scored with one of the user's models at its
own threshold, or with the reference ensemble fitted to the file, and the scores measured
against its label, by the engine's one evaluation (``evaluate_frame``), the one the local
command runs: AUPRC, ROC-AUC, precision, recall and the confusion counts at the threshold,
each member's AUPRC. Nothing is stored but the job's result."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.fraud_service.job_payloads import EvaluatePayload
from entrepot.fraud_service.pipeline.evaluation import evaluate_table
from entrepot.fraud_service.pipeline.scorers import Scorer
from entrepot.jobs.runner import Progress


def payload(
    uow_factory: UnitOfWorkFactory,
    user_id: int,
    dataset_id: str,
    model_id: int | None,
    target: str | None,
) -> EvaluatePayload:
    """What an evaluation job carries; raises for another user's (or an unknown) model or
    dataset, before anything is queued."""
    with uow_factory() as uow:
        dataset = uow.datasets.get(user_id, dataset_id)
        name = version = None
        if model_id is not None:
            name, version = uow.user_models.ref(str(user_id), model_id)
    target = (target or "").strip() or None
    return EvaluatePayload(dataset.id, dataset.name, model_id, name, version, target)


def run(
    found: EvaluatePayload, frame: pd.DataFrame, scorer: Scorer, progress: Progress
) -> Mapping[str, Any]:
    """The evaluation of ``frame`` (the dataset's table) as ``found`` asks for it, by the
    model or references ``scorer`` chooses: the label, the metrics at the threshold, each
    member's AUPRC (non-finite figures as ``None``, as JSON has them)."""
    measured = evaluate_table(
        frame, scorer, target=found.target, what=found.dataset_name, progress=progress
    )
    return {**_finite(measured), "model_id": found.model_id, "dataset_id": found.dataset_id}


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float as ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
