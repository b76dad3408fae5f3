"""Your models: list, detail (metrics and chart data), delete, download as ZIP."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from entrepot.api.deps import Services, User
from entrepot.api.schemas import ModelDetailOut, ModelOut, model_detail_out, model_out

router = APIRouter(prefix="/api", tags=["models"])


@router.get("/models")
def models(user: User, services: Services) -> list[ModelOut]:
    """Your trained models, newest first."""
    return [model_out(m) for m in services.models.list(user.id)]


@router.get("/models/{model_id}")
def model(model_id: int, user: User, services: Services) -> ModelDetailOut:
    """One model: metrics, files, performance and chart data (precision-recall,
    calibration, feature importance)."""
    return model_detail_out(services.models.get(user.id, model_id))


@router.delete("/models/{model_id}")
def delete_model(model_id: int, user: User, services: Services) -> ModelOut:
    """Delete a model and its stored files (frees a slot of your plan)."""
    return model_out(services.models.delete(user.id, model_id))


@router.get("/models/{model_id}/download")
def download_model(model_id: int, user: User, services: Services) -> FileResponse:
    """The model's verified files as a ZIP."""
    name, path = services.models.zip(user.id, model_id)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=name,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
