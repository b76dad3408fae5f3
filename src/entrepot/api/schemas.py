"""The JSON API's request and response bodies (pydantic at the edge only), and the
functions that turn domain records into them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from entrepot.accounts.admin import UserRow
from entrepot.accounts.licences import LicenceStatus
from entrepot.catalog.accounts.records import AuditRecord, LicenceRecord, TokenRecord, UserRecord
from entrepot.catalog.feedback.records import FeedbackRecord
from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.workspace.records import DatasetRecord, PredictionRecord
from entrepot.fraud_service.user_models import ModelDetail, ModelInfo


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# -- requests ----------------------------------------------------------------
class RegisterIn(Body):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    name: str = Field(default="", max_length=128)


class LoginIn(Body):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class PasswordIn(Body):
    current_password: str = Field(default="", max_length=1024)
    new_password: str = Field(max_length=1024)
    #: Ids of API tokens that survive the change (every other one is revoked).
    keep_tokens: list[int] = Field(default_factory=list, max_length=100)


class TokenIn(Body):
    name: str = Field(default="api", max_length=64)
    #: ``None``: the token works until revoked.
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ActivateIn(Body):
    key: str = Field(max_length=64)


class TrainIn(BaseModel):
    """``filepath`` is named only to refuse it with a clear message (the seeds sent one)."""

    dataset_id: str | None = Field(default=None, max_length=32)
    model_name: str = Field(max_length=64)
    target_column: str | None = Field(default=None, max_length=255)
    filepath: str | None = None


class PredictIn(Body):
    model_id: int
    dataset_id: str = Field(max_length=32)


class LabelIn(Body):
    #: The row's number in the scored upload (the scores file's ``row`` column).
    row: int = Field(ge=1, le=2**62)
    #: 1: fraud, 0: legitimate.
    label: Literal[0, 1]


class FeedbackIn(Body):
    labels: list[LabelIn] = Field(min_length=1, max_length=10_000)


ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class RescoreIn(Body):
    #: Per model (member) name, the whole mapping it reads: upload column -> model input.
    mappings: dict[
        ColumnName, Annotated[dict[ColumnName, ColumnName], Field(min_length=1, max_length=2000)]
    ] = Field(min_length=1, max_length=50)


class ThresholdIn(Body):
    threshold: float = Field(gt=0.0, lt=1.0)


class ApplyIn(BaseModel):
    dataset_id: str | None = Field(default=None, max_length=32)
    filepath: str | None = None
    model_name: str | None = Field(default=None, max_length=64)


class CreateLicencesIn(Body):
    plan: str
    days: int | None = None
    count: int = 1


class DaysIn(Body):
    days: int


class FlagIn(Body):
    value: bool


# -- responses ---------------------------------------------------------------
class UserOut(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class LicenceOut(BaseModel):
    key: str | None
    plan: str | None
    active: bool
    days_left: int
    expires_at: datetime | None
    max_models: int | None
    models_used: int
    models_left: int | None
    max_dataset_bytes: int | None


class MeOut(BaseModel):
    user: UserOut
    licence: LicenceOut
    csrf_token: str | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = None


class NewTokenOut(TokenOut):
    token: str


class DatasetOut(BaseModel):
    id: str
    name: str
    format: str
    size: int
    rows: int
    columns: int
    labelled: bool
    target: str | None
    created_at: datetime


class UploadOut(BaseModel):
    dataset_id: str
    dataset: DatasetOut
    analysis: dict[str, Any]


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    progress: float
    message: str
    error: str | None
    error_code: str | None
    params: dict[str, Any]
    result: dict[str, Any]
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobAccepted(BaseModel):
    job_id: str
    state: str
    status_url: str


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


class ModelDetailOut(ModelOut):
    files: list[tuple[str, int]]
    performance: dict[str, Any]
    curves: dict[str, Any]
    #: The threshold in force: the saved one, else the one training chose.
    threshold: dict[str, Any]
    #: ``{tn, fp, fn, tp, threshold, test_rows, base_rate}`` on the test split.
    confusion_matrix: dict[str, Any] | None
    #: ``{threshold, precision, recall, flagged_share, expected_cost}`` per threshold.
    threshold_curve: list[dict[str, float]]
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


class PageOut(BaseModel):
    items: list[Any]
    total: int
    page: int
    pages: int


class AdminUserOut(BaseModel):
    user: UserOut
    licence: dict[str, Any] | None


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


# -- conversions -------------------------------------------------------------
def user_out(user: UserRecord) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def licence_out(status: LicenceStatus) -> LicenceOut:
    licence, plan = status.licence, status.plan
    return LicenceOut(
        key=licence.key if licence else None,
        plan=plan.name if plan else None,
        active=status.active,
        days_left=status.days_left,
        expires_at=licence.expires_at if licence else None,
        max_models=plan.max_models if plan else None,
        models_used=status.models_used,
        models_left=status.models_left,
        max_dataset_bytes=plan.max_dataset_bytes if plan else None,
    )


def token_out(token: TokenRecord) -> TokenOut:
    return TokenOut(**_fields(token, TokenOut))


def dataset_out(dataset: DatasetRecord) -> DatasetOut:
    return DatasetOut(**_fields(dataset, DatasetOut))


def job_out(job: JobRecord) -> JobOut:
    values = _fields(job, JobOut)
    values["state"] = job.state.value
    values["params"] = dict(job.params)
    values["result"] = dict(job.result)
    return JobOut(**values)


def accepted(job: JobRecord) -> JobAccepted:
    return JobAccepted(job_id=job.id, state=job.state.value, status_url=f"/api/jobs/{job.id}")


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
    )


def model_detail_out(detail: ModelDetail) -> ModelDetailOut:
    return ModelDetailOut(
        **model_out(detail.info).model_dump(),
        files=list(detail.files),
        performance=dict(detail.performance),
        curves=dict(detail.curves),
        **detail.analyst,
    )


#: Parts of a stored prediction's summary only its detail shows.
REVIEW_PARTS = ("top", "evaluation", "drift")


def prediction_out(record: PredictionRecord) -> PredictionOut:
    values = _fields(record, PredictionOut)
    values["summary"] = {k: v for k, v in record.summary.items() if k not in REVIEW_PARTS}
    values["download_url"] = f"/api/predictions/{record.id}/download"
    return PredictionOut(**values)


def prediction_detail_out(record: PredictionRecord, top: int = 100) -> PredictionDetailOut:
    return PredictionDetailOut(
        **prediction_out(record).model_dump(),
        preview=dict(record.preview),
        top=list(record.summary.get("top", []))[:top],
        evaluation=record.summary.get("evaluation"),
        drift=record.summary.get("drift"),
    )


def admin_user_out(row: UserRow) -> AdminUserOut:
    licence = row.licence
    return AdminUserOut(
        user=user_out(row.user),
        licence=None if licence is None else licence_admin_out(licence),
    )


def licence_admin_out(licence: LicenceRecord) -> dict[str, Any]:
    return {
        "id": licence.id,
        "key": licence.key,
        "plan": licence.plan,
        "duration_days": licence.duration_days,
        "user_id": licence.user_id,
        "enabled": licence.enabled,
        "created_at": licence.created_at.isoformat(),
        "created_by": licence.created_by,
        "activated_at": licence.activated_at.isoformat() if licence.activated_at else None,
        "expires_at": licence.expires_at.isoformat() if licence.expires_at else None,
    }


def audit_out(entry: AuditRecord) -> AuditOut:
    return AuditOut(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        target=entry.target,
        details=dict(entry.details),
    )


def _fields(record: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}


def feedback_out(prediction_id: str, found: list[FeedbackRecord]) -> FeedbackOut:
    return FeedbackOut(
        prediction_id=prediction_id,
        labels=[
            {"row": f.row, "label": f.label, "decided_by": f.decided_by, "decided_at": f.decided_at}
            for f in found
        ],
    )
