"""Your models: the listing, the detail and its saved threshold."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from entrepot.api.schemas.base import Body
from entrepot.catalog.models.records import AliasRecord, NoteRecord
from entrepot.fraud_service.user_models import ModelDetail, ModelInfo, ModelManifest


class ThresholdIn(Body):
    threshold: float = Field(gt=0.0, lt=1.0)


class NoteIn(Body):
    #: The note (trimmed); an empty one removes it.
    note: str


class NoteOut(BaseModel):
    text: str
    updated_at: datetime
    updated_by: str


class AliasOut(BaseModel):
    name: str
    alias: str
    version: str
    updated_at: datetime
    updated_by: str


class AliasRemovedOut(BaseModel):
    model_id: int
    alias: str


def note_out(note: NoteRecord | None) -> NoteOut | None:
    if note is None or not note.note:
        return None
    return NoteOut(text=note.note, updated_at=note.updated_at, updated_by=note.updated_by)


def alias_out(record: AliasRecord) -> AliasOut:
    return AliasOut(
        name=record.name,
        alias=record.alias,
        version=record.version,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
    )


class ModelOut(BaseModel):
    id: int
    name: str
    version: str
    created_at: datetime
    metrics: dict[str, float]
    params: dict[str, str]
    #: Where the version comes from; ``feedback_rows`` counts the analysts' labels it
    #: learnt from (a retrained version).
    lineage: dict[str, str | int]
    download_url: str
    ensemble: dict[str, Any] | None = None
    #: The aliases pointing at this version.
    aliases: list[str] = []
    #: The owner's note on this version.
    note: NoteOut | None = None


class ModelDetailOut(ModelOut):
    files: list[tuple[str, int]]
    #: Each file's verified download, by path.
    file_urls: dict[str, str]
    performance: dict[str, Any]
    curves: dict[str, Any]
    #: The threshold in force: the saved one, else the one training chose.
    threshold: dict[str, Any]
    #: The test split's figures at the threshold in force, from one set of integer counts:
    #: ``{tn, fp, fn, tp, threshold, test_rows, frauds, flagged, base_rate, precision,
    #: recall, f1, flagged_share, expected_cost}``.
    confusion_matrix: dict[str, Any] | None
    #: ``{threshold, precision, recall, flagged_share, expected_cost}`` per threshold, and
    #: ``{tp, fp, fn, tn}`` where the test scores were kept; the threshold in force is a point.
    threshold_curve: list[dict[str, float | int]]
    #: The position of the threshold in force on ``threshold_curve``.
    threshold_index: int = 0
    cost_ratio: float | None
    precision_at_k: dict[str, Any]
    #: Precision, recall and lift of reviewing the top X % of rows.
    lift: list[dict[str, float]]
    #: The model search's trials, and which one was chosen.
    trials: list[dict[str, Any]]
    chosen_trial: int | None
    #: ``{key, name, meaning, value}``: metrics under names people read.
    metrics_explained: list[dict[str, Any]]
    #: ``{feature, name, importance}``: features under names people read.
    importances: list[dict[str, Any]]
    precision_recall: dict[str, Any] | None
    calibration: dict[str, Any]
    #: A retrained version beside the one it was retrained from, on the same test rows.
    comparison: dict[str, Any] | None = None


class ModelManifestOut(BaseModel):
    """A version as ``entrepot models show`` prints it; ``manifest`` is the document whose
    sha256 is ``manifest_sha256`` (written with sorted keys and an indent of 2), and holds
    each file's path, size and sha256."""

    id: int
    name: str
    version: str
    created_at: datetime
    created_by: str
    signed: bool
    manifest_sha256: str | None
    aliases: list[str]
    manifest: dict[str, Any]


def model_manifest_out(found: ModelManifest) -> ModelManifestOut:
    return ModelManifestOut(
        id=found.id,
        name=found.name,
        version=found.version,
        created_at=found.created_at,
        created_by=found.created_by,
        signed=found.signed,
        manifest_sha256=found.manifest_sha256,
        aliases=list(found.aliases),
        manifest=dict(found.manifest),
    )


def model_out(model: ModelInfo) -> ModelOut:
    return ModelOut(
        id=model.id,
        name=model.name,
        version=model.version,
        created_at=model.created_at,
        metrics=dict(model.metrics),
        params=dict(model.params),
        lineage={
            k: int(v) if k == "feedback_rows" and str(v).isdigit() else v
            for k, v in model.lineage.items()
        },
        download_url=f"/api/models/{model.id}/download",
        ensemble=None if model.ensemble is None else dict(model.ensemble),
        aliases=list(model.aliases),
        note=note_out(model.note),
    )


def file_url(model_id: int, path: str) -> str:
    """Where one file of a version downloads, verified."""
    return f"/api/models/{model_id}/files/{quote(path)}"


def model_detail_out(detail: ModelDetail) -> ModelDetailOut:
    return ModelDetailOut(
        **model_out(detail.info).model_dump(),
        files=list(detail.files),
        file_urls={path: file_url(detail.info.id, path) for path, _ in detail.files},
        performance=dict(detail.performance),
        curves=dict(detail.curves),
        **detail.analyst,
    )
