"""Stored predictions, their review and the analysts' labels."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from entrepot.api.schemas.base import Body, fields_of
from entrepot.catalog.feedback.records import FeedbackRecord
from entrepot.catalog.workspace.records import PredictionRecord


class LabelIn(Body):
    #: The row's number in the scored upload (the scores file's ``row`` column).
    row: int = Field(ge=1, le=2**62)
    #: 1: fraud, 0: legitimate.
    label: Literal[0, 1]


ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class FeedbackIn(Body):
    labels: list[LabelIn] = Field(min_length=1, max_length=10_000)


class RescoreIn(Body):
    #: Per model (member) name, the whole mapping it reads: upload column -> model input.
    mappings: dict[
        ColumnName, Annotated[dict[ColumnName, ColumnName], Field(min_length=1, max_length=2000)]
    ] = Field(min_length=1, max_length=50)


class TrustOut(BaseModel):
    """How far to trust an ensemble's scores (``fraud_service/summary.py`` ``trust``)."""

    #: The members' weighted similarity × coverage × distribution fit, 0 to 1.
    match_quality: float
    #: The members' weighted distribution fit (1 - KS of the file's anomaly scores under
    #: each): under ``UNFAMILIAR_FIT`` the level is ``low`` (``trust.unfamiliar``);
    #: ``None`` for a prediction stored before it was kept.
    distribution_fit: float | None = None
    #: The pool's AUPRC on the labelled history its members were weighed on
    #: (``--history``); ``None`` when they were weighed without labels.
    measured_auprc: float | None = None
    #: The fraud rate the probabilities were calibrated to; ``None`` without a calibration.
    estimated_fraud_rate: float | None
    #: The file-fitted member's share of the pool (ADR 0085); ``None`` without a
    #: calibration or for a prediction stored before it was kept.
    file_member_weight: float | None = None
    level: Literal["high", "medium", "low"]
    #: The message key ``trust.high|medium|low|unfamiliar|measured`` and its values.
    message: dict[str, Any]


class PredictionOut(BaseModel):
    id: str
    dataset_id: str | None
    dataset_name: str
    source: str
    model_name: str | None
    model_version: str | None
    job_id: str | None
    rows: int
    size: int
    summary: dict[str, Any]
    #: Precision and recall at the threshold estimated without labels, with the realised
    #: figures beside them (``realised``) once labels are known: the file's own label, or
    #: the analysts' decisions on its rows, measured again at each decision
    #: (``fraud_service/estimate.py``); ``None`` for a prediction stored before estimates
    #: were kept.
    estimate: dict[str, Any] | None = None
    #: What the model's card promises of this file (AUPRC, precision and recall with
    #: their interval), by how far each row lies from the newest label it read
    #: (``fraud/score/promise.py``); ``None`` for a pool of references or a card without
    #: label horizons.
    expected: dict[str, Any] | None = None
    #: How far to trust the scores, by how well the file fits the models;
    #: ``None`` for a prediction stored before it was kept.
    trust: TrustOut | None = None
    created_at: datetime
    download_url: str


class PredictionDetailOut(PredictionOut):
    preview: dict[str, Any]
    #: The highest-risk rows first, each with its row number in the upload.
    top: list[dict[str, Any]]
    #: Against the file's own label, when it has one.
    evaluation: dict[str, Any] | None
    #: Population stability of each model input and of the scores against training.
    drift: dict[str, Any] | None


class FeedbackOut(BaseModel):
    prediction_id: str
    labels: list[dict[str, Any]]


#: Parts of a stored prediction's summary only its detail shows.
REVIEW_PARTS = ("top", "evaluation", "drift")


def prediction_out(record: PredictionRecord) -> PredictionOut:
    values = fields_of(record, PredictionOut)
    values["summary"] = {k: v for k, v in record.summary.items() if k not in REVIEW_PARTS}
    values["download_url"] = f"/api/predictions/{record.id}/download"
    values["estimate"] = record.summary.get("estimate")
    values["expected"] = record.summary.get("expected")
    values["trust"] = record.summary.get("trust")
    return PredictionOut(**values)


def prediction_detail_out(record: PredictionRecord, top: int = 100) -> PredictionDetailOut:
    return PredictionDetailOut(
        **prediction_out(record).model_dump(),
        preview=dict(record.preview),
        top=list(record.summary.get("top", []))[:top],
        evaluation=record.summary.get("evaluation"),
        drift=record.summary.get("drift"),
    )


def feedback_out(prediction_id: str, found: list[FeedbackRecord]) -> FeedbackOut:
    return FeedbackOut(
        prediction_id=prediction_id,
        labels=[
            {"row": f.row, "label": f.label, "decided_by": f.decided_by, "decided_at": f.decided_at}
            for f in found
        ],
    )
