"""Your predictions: list, detail (summary and preview), download, delete; and the
seeds' download by key, resolved through the catalog."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from entrepot.api.deps import Services, User
from entrepot.api.schemas import (
    PageOut,
    PredictionDetailOut,
    PredictionOut,
    prediction_detail_out,
    prediction_out,
)
from entrepot.bootstrap.fraud import FraudServices
from entrepot.catalog.workspace.records import PredictionRecord
from entrepot.fraud_service.uploads import safe_filename

router = APIRouter(prefix="/api", tags=["predictions"])


def _download(services: FraudServices, record: PredictionRecord) -> StreamingResponse:
    """The file verified whole first (a damaged one is an integrity error, never a 200),
    then sent."""
    stem = safe_filename(record.dataset_name).rsplit(".", 1)[0][:60] or "dataset"
    verified = services.predictions.open(record)
    return StreamingResponse(
        verified.chunks(),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="predictions-{stem}-{record.id[:8]}.csv"',
            "Content-Length": str(verified.size),
        },
    )


@router.get("/predictions")
def predictions(user: User, services: Services, page: int = 1, per_page: int = 50) -> PageOut:
    """Your stored predictions, newest first."""
    found = services.predictions.list(user.id, page=page, per_page=per_page)
    return PageOut(
        items=[prediction_out(p) for p in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/predictions/{prediction_id}")
def prediction(prediction_id: str, user: User, services: Services) -> PredictionDetailOut:
    """One prediction: risk counts, anomalies, members' agreement, a preview."""
    return prediction_detail_out(services.predictions.get(user.id, prediction_id))


@router.get("/predictions/{prediction_id}/download")
def download(prediction_id: str, user: User, services: Services) -> StreamingResponse:
    """The scores as CSV, verified against the catalog before the first byte is sent."""
    return _download(services, services.predictions.get(user.id, prediction_id))


@router.delete("/predictions/{prediction_id}")
def delete(prediction_id: str, user: User, services: Services) -> PredictionOut:
    """Delete a prediction and its stored file."""
    return prediction_out(services.predictions.delete(user.id, prediction_id))


@router.get("/download_s3_predictions")
def download_by_key(key: str, user: User, services: Services) -> StreamingResponse:
    """The seeds' download by store key, kept for their clients: the key must lie in your
    folder (``users/{your id}/``, else 403) and be one of your predictions in the catalog
    (else 404). Prefer ``/api/predictions/{id}/download``."""
    return _download(services, services.predictions.by_key(user.id, key))
