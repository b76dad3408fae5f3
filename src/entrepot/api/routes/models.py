"""Your models: list, detail (metrics and chart data), aliases, notes, delete, download
one verified file or all as a ZIP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from entrepot.api.responses import JsonOf
from entrepot.api.schemas.jobs import JobAccepted, accepted
from entrepot.api.schemas.models import (
    AliasOut,
    AliasRemovedOut,
    ModelDetailOut,
    ModelManifestOut,
    ModelOut,
    NoteIn,
    NoteOut,
    ThresholdIn,
    alias_out,
    model_detail_out,
    model_manifest_out,
    model_out,
    note_out,
)
from entrepot.catalog.accounts.records import UserRecord
from entrepot.fraud_service import glossary
from entrepot.http.deps import Call, Services, User

router = APIRouter(prefix="/api", tags=["models"])
#: Bytes read at a time from a verified file.
CHUNK = 1024 * 1024
_LISTING = JsonOf(list[ModelOut])


@router.get("/models", response_model=list[ModelOut])
async def models(call: Call) -> Response:
    """Your trained models, newest first."""

    def listing(user: UserRecord) -> Response:
        return _LISTING.response([model_out(m) for m in call.services.fraud().models.list(user.id)])

    return await call.run(listing)


@router.get("/models/{model_id}")
def model(
    model_id: int, user: User, services: Services, lang: Annotated[str, Query(max_length=8)] = "en"
) -> ModelDetailOut:
    """One model: metrics (with names and meanings in ``lang``, ``en`` or ``fr``), files,
    performance, the confusion matrix at the threshold in force, the threshold curve,
    precision@k and lift, the search's trials, and chart data (precision-recall with the
    chosen point, calibration, feature importance under readable names)."""
    return model_detail_out(services.fraud().models.get(user.id, model_id, glossary.lang_of(lang)))


@router.get("/models/{model_id}/manifest")
def model_manifest(model_id: int, user: User, services: Services) -> ModelManifestOut:
    """One version's verified manifest (each file's path, size and sha256), its aliases and
    whether this installation signed it: what ``entrepot models show`` prints, and what
    ``entrepot models pull`` checks the downloaded files against."""
    return model_manifest_out(services.fraud().models.manifest(user.id, model_id))


@router.put("/models/{model_id}/threshold")
def save_threshold(
    model_id: int, body: ThresholdIn, user: User, services: Services
) -> ModelDetailOut:
    """Save a decision threshold for this version: its page and later scorings use it."""
    services.fraud().feedback.set_threshold(user, model_id, body.threshold)
    return model_detail_out(services.fraud().models.get(user.id, model_id))


@router.put("/models/{model_id}/aliases/{alias}")
def set_alias(model_id: int, alias: str, user: User, services: Services) -> AliasOut:
    """Point ``alias`` of the model (``production``, ``staging``) at this version; an alias
    that pointed at another version moves here in one step."""
    return alias_out(services.fraud().models.set_alias(user.id, model_id, alias))


@router.delete("/models/{model_id}/aliases/{alias}")
def remove_alias(model_id: int, alias: str, user: User, services: Services) -> AliasRemovedOut:
    """Remove ``alias`` of the model, which must point at this version (else 404); the
    version itself is untouched."""
    return AliasRemovedOut(
        model_id=model_id, alias=services.fraud().models.remove_alias(user.id, model_id, alias)
    )


@router.put("/models/{model_id}/note")
def set_note(model_id: int, body: NoteIn, user: User, services: Services) -> NoteOut | None:
    """Write the note of this version (an empty one removes it; ``null`` then)."""
    return note_out(services.fraud().models.set_note(user.id, model_id, body.note))


@router.post("/models/{model_id}/retrain", status_code=202)
def retrain(model_id: int, user: User, services: Services) -> JobAccepted:
    """Train the model's next version on its training data plus the rows analysts
    labelled on its predictions, measured on the same test split; the job's result names
    the new version's ``model_id``."""
    return accepted(services.fraud().training.submit_retrain(user.id, model_id))


@router.delete("/models/{model_id}")
def delete_model(model_id: int, user: User, services: Services) -> ModelOut:
    """Delete a model and its stored files (frees a slot of your plan)."""
    return model_out(services.fraud().models.delete(user.id, model_id))


@router.get("/models/{model_id}/download")
def download_model(model_id: int, user: User, services: Services) -> FileResponse:
    """The model's verified files as a ZIP."""
    name, path = services.fraud().models.zip(user.id, model_id)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=name,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get("/models/{model_id}/files/{path:path}")
def download_file(model_id: int, path: str, user: User, services: Services) -> StreamingResponse:
    """One file of the version, its bytes checked against the catalog's sha256 before the
    answer starts."""
    name, local = services.fraud().models.file(user.id, model_id, path)
    handle = local.open("rb")  # open now: a cache eviction later cannot take it away
    size = os.fstat(handle.fileno()).st_size

    def chunks() -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    headers = {"Content-Length": str(size), "Content-Disposition": disposition}
    return StreamingResponse(chunks(), media_type="application/octet-stream", headers=headers)
