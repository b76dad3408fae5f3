"""Models (grouped with their versions and aliases; a version with its charts, files and
note; set or remove an alias, write a note; delete) and predictions (summary, preview)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from entrepot.http.deps import PageUser, Services
from entrepot.web import charts
from entrepot.web.forms import Csrf, act
from entrepot.web.i18n import translator
from entrepot.web.render import language, render

router = APIRouter(include_in_schema=False)


@router.get("/models")
def models(request: Request, user: PageUser, services: Services) -> Response:
    """Your models, each with its versions (newest first) and their aliases."""
    groups = services.fraud().models.groups(user.id)
    status = services.accounts.licences.status(user.id)
    return render(request, "models.html", user=user, groups=groups, status=status)


@router.post("/models/aliases")
def set_alias(
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    model_id: Annotated[int, Form()],
    alias: Annotated[str, Form()],
    back: Annotated[str, Form()] = "models",
) -> Response:
    """Point an alias of a model at one of its versions (moved if it pointed elsewhere);
    back to the models page, or to the version's page (``back=version``)."""

    def go() -> None:
        services.fraud().models.set_alias(user.id, model_id, alias)

    page = f"/models/{model_id}" if back == "version" else "/models"
    t = translator(language(request))
    return act(request, csrf, go, back=page, done=t("models.alias_set", alias=alias.strip()))


@router.post("/models/{model_id}/aliases/remove")
def remove_alias(
    model_id: int,
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    alias: Annotated[str, Form()],
) -> Response:
    """Remove an alias pointing at this version (the API's ``DELETE`` does the same)."""

    def go() -> None:
        services.fraud().models.remove_alias(user.id, model_id, alias)

    t = translator(language(request))
    done = t("models.alias_removed", alias=alias.strip())
    return act(request, csrf, go, back=f"/models/{model_id}", done=done)


@router.post("/models/{model_id}/note")
def set_note(
    model_id: int,
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Write the note of a version (an empty note removes it)."""

    def go() -> None:
        services.fraud().models.set_note(user.id, model_id, note)

    t = translator(language(request))
    return act(request, csrf, go, back=f"/models/{model_id}", done=t("models.note_saved"))


@router.get("/models/{model_id}")
def model(model_id: int, request: Request, user: PageUser, services: Services) -> Response:
    """A model: test metrics under readable names, the threshold slider, the confusion
    matrix, precision-recall curve, calibration, feature importance, lift, trials, the
    chosen learner's hyper-parameters, every training of the model (a sortable table) and
    the retraining, offered only when the plan and the decisions allow it."""
    lang = language(request)
    fraud = services.fraud()
    detail = fraud.models.get(user.id, model_id, lang)
    t = translator(lang)
    figures: dict[str, Any] = charts.model_figures(detail.curves, detail.analyst, t)
    figures["trials"] = charts.trials_figure(detail.analyst, t)
    siblings = [m for m in fraud.models.list(user.id) if m.id != model_id]
    return render(
        request,
        "model.html",
        user=user,
        model=detail,
        figures=figures,
        siblings=siblings,
        trainings=fraud.models.trainings(user.id, model_id),
        offer=fraud.feedback.retrain_offer(user.id, model_id=model_id),
    )


@router.post("/models/{model_id}/delete")
def delete_model(
    model_id: int, request: Request, user: PageUser, services: Services, csrf: Csrf
) -> Response:
    """Delete a model."""

    def go() -> str:
        services.fraud().models.delete(user.id, model_id)
        return "/models"

    t = translator(language(request))
    return act(request, csrf, go, back=f"/models/{model_id}", done=t("models.deleted"))


@router.get("/predictions/{prediction_id}")
def prediction(
    prediction_id: str, request: Request, user: PageUser, services: Services
) -> Response:
    """Predictions: risk counts, anomalies, agreement, models used and their columns, the
    highest-risk rows, the evaluation and drift, first rows."""
    record = services.fraud().predictions.get(user.id, prediction_id)
    t = translator(language(request))
    figure = charts.risk_figure(record.summary, t)
    drift = charts.score_drift_figure(record.summary.get("drift"), t)
    return render(
        request, "prediction.html", user=user, prediction=record, figure=figure, drift=drift
    )
