"""Your predictions: list, detail (summary and preview), download, delete; and the
seeds' download by key, resolved through the catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from entrepot.api.schemas.base import PageOut
from entrepot.api.schemas.jobs import JobAccepted, accepted
from entrepot.api.schemas.predictions import (
    FeedbackIn,
    FeedbackOut,
    PredictionDetailOut,
    PredictionOut,
    RescoreIn,
    feedback_out,
    prediction_detail_out,
    prediction_out,
)
from entrepot.bootstrap.app import App
from entrepot.catalog.workspace.records import PredictionRecord
from entrepot.fraud_service.review import TOP_KEPT, TOP_SHOWN
from entrepot.fraud_service.uploads import safe_filename
from entrepot.http.deps import Services, User
from entrepot.http.digest import repr_digest

router = APIRouter(prefix="/api", tags=["predictions"])


def _download(services: App, record: PredictionRecord) -> StreamingResponse:
    """The file verified whole first (a damaged one is an integrity error, never a 200),
    then sent, with the sha256 the catalog keeps as ``Repr-Digest`` (RFC 9530), which a
    client checks the bytes it received against (``entrepot fraud score`` does)."""
    stem = safe_filename(record.dataset_name).rsplit(".", 1)[0][:60] or "dataset"
    verified = services.fraud().predictions.open(record)
    return StreamingResponse(
        verified.chunks(),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="predictions-{stem}-{record.id[:8]}.csv"',
            "Content-Length": str(verified.size),
            "Repr-Digest": repr_digest(verified.record.sha256),
        },
    )


@router.get("/predictions")
def predictions(user: User, services: Services, page: int = 1, per_page: int = 50) -> PageOut:
    """Your stored predictions, newest first."""
    found = services.fraud().predictions.list(user.id, page=page, per_page=per_page)
    return PageOut(
        items=[prediction_out(p) for p in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/predictions/{prediction_id}")
def prediction(
    prediction_id: str,
    user: User,
    services: Services,
    top: Annotated[int, Query(ge=1, le=TOP_KEPT)] = TOP_SHOWN,
) -> PredictionDetailOut:
    """One prediction: risk counts, anomalies, members' agreement, a preview, the ``top``
    highest-risk rows with their explanation, the evaluation against the file's label
    when it has one, and drift against the model's training data."""
    return prediction_detail_out(services.fraud().predictions.get(user.id, prediction_id), top)


@router.post("/predictions/{prediction_id}/feedback")
def give_feedback(
    prediction_id: str, body: FeedbackIn, user: User, services: Services
) -> FeedbackOut:
    """Record your decisions on scored rows (``row`` as in the scores file, ``label`` 1
    fraud or 0 legitimate); a later decision on a row replaces the earlier. The next
    version of the model learns from them (``POST /api/models/{id}/retrain``)."""
    labels = [(item.row, item.label) for item in body.labels]
    found = services.fraud().feedback.record(user, prediction_id, labels)
    return feedback_out(prediction_id, found)


@router.get("/predictions/{prediction_id}/feedback")
def feedback(prediction_id: str, user: User, services: Services) -> FeedbackOut:
    """The decisions recorded on a prediction, by row: who decided, when."""
    return feedback_out(
        prediction_id, services.fraud().feedback.of_prediction(user.id, prediction_id)
    )


@router.post("/predictions/{prediction_id}/rescore", status_code=202)
def rescore(prediction_id: str, body: RescoreIn, user: User, services: Services) -> JobAccepted:
    """Score the prediction's file again with the same model(s), each named one reading
    the columns you give (``{"mappings": {"MODEL": {"upload column": "model input"}}}``);
    the job's result names the new prediction."""
    return accepted(services.fraud().scoring.submit_rescore(user.id, prediction_id, body.mappings))


@router.get("/predictions/{prediction_id}/download")
def download(prediction_id: str, user: User, services: Services) -> StreamingResponse:
    """The scores as CSV, verified against the catalog before the first byte is sent."""
    return _download(services, services.fraud().predictions.get(user.id, prediction_id))


@router.delete("/predictions/{prediction_id}")
def delete(prediction_id: str, user: User, services: Services) -> PredictionOut:
    """Delete a prediction and its stored file."""
    return prediction_out(services.fraud().predictions.delete(user.id, prediction_id))


@router.get("/download_s3_predictions", deprecated=True)
def download_by_key(key: str, user: User, services: Services) -> StreamingResponse:
    """The seeds' download by store key, kept for their clients: the key must lie in your
    folder (``users/{your id}/``, else 403) and be one of your predictions in the catalog
    (else 404). Prefer ``/api/predictions/{id}/download``: the answer's ``Link`` names
    that address with this prediction's id."""
    record = services.fraud().predictions.by_key(user.id, key)
    answer = _download(services, record)
    successor = f"/api/predictions/{record.id}/download"
    answer.headers["link"] = f'<{successor}>; rel="successor-version"'
    return answer
