"""Home, datasets (upload with progress, analysis), training and scoring forms, job
status, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from entrepot.bootstrap.app import App
from entrepot.catalog.accounts.records import UserRecord
from entrepot.fraud_service.errors import UnlabelledDataset
from entrepot.http.deps import MaybeUser, PageUser, Services
from entrepot.http.job_view import job_out
from entrepot.http.sessions import flash
from entrepot.i18n import Formats
from entrepot.web.forms import Csrf, act
from entrepot.web.i18n import translator
from entrepot.web.phrases import Phrases
from entrepot.web.render import language, refusal, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/")
def home(request: Request, user: MaybeUser, services: Services) -> Response:
    """The landing page, or the user's summary."""
    if user is None:
        return render(request, "home.html", user=None)
    status = services.accounts.licences.status(user.id)
    recent = services.jobs.list(user.id, per_page=5).items
    datasets = services.fraud().datasets.list(user.id, per_page=1).total
    return render(request, "home.html", user=user, status=status, recent=recent, datasets=datasets)


@router.get("/datasets")
def datasets(request: Request, user: PageUser, services: Services, page: int = 1) -> Response:
    """Your datasets and the upload form."""
    found = services.fraud().datasets.list(user.id, page=page, per_page=25)
    status = services.accounts.licences.status(user.id)
    return render(request, "datasets.html", user=user, found=found, status=status)


@router.get("/datasets/{dataset_id}")
def dataset(dataset_id: str, request: Request, user: PageUser, services: Services) -> Response:
    """A dataset's analysis (the detected label highlighted) and what to do with it (no
    training without a label: the page says how to add one)."""
    return _dataset_page(dataset_id, request, user, services)


def _dataset_page(
    dataset_id: str, request: Request, user: UserRecord, services: App, status: int = 200
) -> Response:
    found = services.fraud().datasets.get(user.id, dataset_id)
    models = services.fraud().models.list(user.id)
    histories = services.fraud().datasets.histories(user.id, dataset_id)
    return render(
        request,
        "dataset.html",
        user=user,
        http_status=status,
        dataset=found,
        models=models,
        histories=histories,
    )


@router.post("/datasets/{dataset_id}/delete")
def delete_dataset(
    dataset_id: str, request: Request, user: PageUser, services: Services, csrf: Csrf
) -> Response:
    """Delete a dataset."""

    def go() -> str:
        services.fraud().datasets.delete(user.id, dataset_id)
        return "/datasets"

    t = translator(language(request))
    return act(request, csrf, go, back=f"/datasets/{dataset_id}", done=t("datasets.deleted"))


@router.post("/datasets/{dataset_id}/train")
def train(
    dataset_id: str,
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    model_name: Text = "",
    target_column: Text = "",
    time_column: Text = "",
    entity_columns: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Start a training job, then follow it (the time column and the entity columns as the
    form names them; none: the dataset's own). A dataset without a label is refused (400,
    the dataset page with the refusal): the page offers no training there."""

    def go() -> str:
        job = services.fraud().training.submit(
            user.id,
            dataset_id,
            model_name.strip(),
            target_column or None,
            time_column=time_column.strip() or None,
            entity_columns=[c for c in entity_columns or () if c.strip()],
            analysed_label=True,
        )
        return f"/jobs/{job.id}"

    try:
        return act(request, csrf, go, back=f"/datasets/{dataset_id}", raising=(UnlabelledDataset,))
    except UnlabelledDataset as exc:
        flash(request, refusal(request, exc), "error")
        return _dataset_page(dataset_id, request, user, services, status=400)


@router.post("/datasets/{dataset_id}/predict")
def predict(
    dataset_id: str,
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    model_id: Annotated[int, Form()] = 0,
) -> Response:
    """Start scoring with one of your models."""

    def go() -> str:
        return f"/jobs/{services.fraud().scoring.submit_predict(user.id, model_id, dataset_id).id}"

    return act(request, csrf, go, back=f"/datasets/{dataset_id}")


@router.post("/datasets/{dataset_id}/apply")
def apply(
    dataset_id: str,
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    history_id: Text = "",
) -> Response:
    """Start scoring with the reference ensemble, weighed on a labelled history if one is
    chosen."""

    def go() -> str:
        scoring = services.fraud().scoring
        return f"/jobs/{scoring.submit_apply(user.id, dataset_id, None, history_id or None).id}"

    return act(request, csrf, go, back=f"/datasets/{dataset_id}")


@router.get("/jobs/{job_id}")
def job(job_id: str, request: Request, user: PageUser, services: Services) -> Response:
    """A job's state and progress (the page follows it until it ends)."""
    found = services.jobs.get_any(job_id) if user.is_admin else services.jobs.get(user.id, job_id)
    return render(request, "job.html", user=user, job=found)


@router.get("/jobs/{job_id}/status")
def job_status(job_id: str, request: Request, user: PageUser, services: Services) -> Response:
    """What the job page polls: the API's view of the job, its progress message in the
    page's language."""
    found = services.jobs.get_any(job_id) if user.is_admin else services.jobs.get(user.id, job_id)
    lang = language(request)
    answer = job_out(found).model_dump(mode="json")
    phrases = Phrases(translator(lang), Formats(lang))
    answer["message"] = phrases.said(found.message_data, found.message)
    if found.error:
        answer["error"] = phrases.job_error(found.error_data, found.error_code, found.error)
    return JSONResponse(answer)


@router.get("/history")
def history(request: Request, user: PageUser, services: Services, page: int = 1) -> Response:
    """Trainings and scorings (failed ones included), and stored predictions."""
    jobs = services.jobs.list(user.id, page=page, per_page=25)
    predictions = services.fraud().predictions.list(user.id, per_page=25)
    return render(request, "history.html", user=user, jobs=jobs, predictions=predictions)
