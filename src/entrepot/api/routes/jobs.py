"""Background work: train, predict, apply to unlabelled data, evaluate on labelled data;
job status and history."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from entrepot.api.responses import JsonOf
from entrepot.api.schemas.base import PageOut
from entrepot.api.schemas.jobs import (
    ApplyIn,
    EvaluateIn,
    JobAccepted,
    PredictIn,
    TrainIn,
    accepted,
)
from entrepot.catalog.accounts.records import UserRecord
from entrepot.errors import EntrepotError
from entrepot.http.deps import Call, Services, User
from entrepot.http.job_view import JobOut, job_out
from entrepot.messages import N_, Message

router = APIRouter(prefix="/api", tags=["jobs"])
_JOB = JsonOf(JobOut)


class PathNotAccepted(EntrepotError, ValueError):
    """The client sent a file path or a store URL."""

    hint = "upload the file with POST /api/upload, then send its dataset_id"


class MissingDataset(EntrepotError, ValueError):
    """The request names no dataset."""

    hint = "send the dataset_id returned by POST /api/upload"


def _dataset_id(dataset_id: str | None, filepath: str | None) -> str:
    if filepath:
        raise PathNotAccepted(
            "this service does not read file paths or store URLs sent by clients ('filepath')",
            said=Message(N_("error.api.no_file_paths")),
        )
    if not dataset_id:
        raise MissingDataset(
            "dataset_id is required", said=Message(N_("error.api.dataset_id_required"))
        )
    return dataset_id


@router.post("/train", status_code=202)
def train(body: TrainIn, user: User, services: Services) -> JobAccepted:
    """Train a model on one of your datasets in the background: returns the job id."""
    dataset_id = _dataset_id(body.dataset_id, body.filepath)
    job = services.fraud().training.submit(
        user.id,
        dataset_id,
        body.model_name,
        body.target_column,
        label_delay_days=body.label_delay_days,
        keep_columns=body.keep_columns,
        cards_per_day=body.cards_per_day,
        time_column=body.time_column,
        entity_columns=body.entity_columns,
    )
    return accepted(job)


@router.post("/predict", status_code=202)
def predict(body: PredictIn, user: User, services: Services) -> JobAccepted:
    """Score one of your datasets with one of your models in the background."""
    return accepted(
        services.fraud().scoring.submit_predict(user.id, body.model_id, body.dataset_id)
    )


@router.post("/apply_unlabeled", status_code=202)
def apply_unlabeled(body: ApplyIn, user: User, services: Services) -> JobAccepted:
    """Score an unlabelled dataset with the ensemble of the closest reference models;
    with ``model_name``, keep that ensemble as one of your models (``/api/predict`` reuses it);
    with ``history_dataset_id``, weigh them on that labelled dataset of earlier transactions."""
    dataset_id = _dataset_id(body.dataset_id, body.filepath)
    scoring = services.fraud().scoring
    job = scoring.submit_apply(user.id, dataset_id, body.model_name, body.history_dataset_id)
    return accepted(job)


@router.post("/evaluate", status_code=202)
def evaluate(body: EvaluateIn, user: User, services: Services) -> JobAccepted:
    """Score one of your labelled datasets with one of your models (``model_id``, at its
    own threshold) or, without one, with the reference ensemble fitted to it, and measure
    the scores against its label (``target_column``, else the one detected), in the
    background: the job's result holds AUPRC, ROC-AUC, precision, recall, the confusion
    counts at the threshold and each member's AUPRC. Nothing else is stored."""
    job = services.fraud().scoring.submit_evaluate(
        user.id, body.dataset_id, body.model_id, body.target_column
    )
    return accepted(job)


@router.get("/jobs/{job_id}", response_model=JobOut)
async def job(job_id: str, call: Call) -> Response:
    """A job's state (queued, running, succeeded, failed), progress, error and result."""
    jobs = call.services.jobs

    def status(user: UserRecord) -> Response:
        found = jobs.get_any(job_id) if user.is_admin else jobs.get(user.id, job_id)
        return _JOB.response(job_out(found))

    return await call.run(status)


@router.get("/history")
def history(user: User, services: Services, page: int = 1, per_page: int = 50) -> PageOut:
    """Your trainings and scorings, newest first, failed ones included."""
    found = services.jobs.list(user.id, page=page, per_page=per_page)
    return PageOut(
        items=[job_out(j) for j in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )
