"""Models (list, detail with charts, delete) and predictions (summary, preview)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from entrepot.http.deps import PageUser, Services
from entrepot.web import charts
from entrepot.web.forms import Csrf, act
from entrepot.web.i18n import translator
from entrepot.web.render import language, render

router = APIRouter(include_in_schema=False)


@router.get("/models")
def models(request: Request, user: PageUser, services: Services) -> Response:
    """Your models."""
    found = services.models.list(user.id)
    status = services.licences.status(user.id)
    return render(request, "models.html", user=user, models=found, status=status)


@router.get("/models/{model_id}")
def model(model_id: int, request: Request, user: PageUser, services: Services) -> Response:
    """A model: test metrics under readable names, the threshold slider, the confusion
    matrix, precision-recall curve, calibration, feature importance, lift, trials."""
    lang = language(request)
    detail = services.models.get(user.id, model_id, lang)
    t = translator(lang)
    figures: dict[str, Any] = charts.model_figures(detail.curves, detail.analyst, t)
    siblings = [m for m in services.models.list(user.id) if m.id != model_id]
    return render(
        request, "model.html", user=user, model=detail, figures=figures, siblings=siblings
    )


@router.post("/models/{model_id}/delete")
def delete_model(
    model_id: int, request: Request, user: PageUser, services: Services, csrf: Csrf
) -> Response:
    """Delete a model."""

    def go() -> str:
        services.models.delete(user.id, model_id)
        return "/models"

    t = translator(language(request))
    return act(request, csrf, go, back=f"/models/{model_id}", done=t("models.deleted"))


@router.get("/predictions/{prediction_id}")
def prediction(
    prediction_id: str, request: Request, user: PageUser, services: Services
) -> Response:
    """Predictions: risk counts, anomalies, agreement, models used and their columns, the
    highest-risk rows, the evaluation and drift, first rows."""
    record = services.predictions.get(user.id, prediction_id)
    t = translator(language(request))
    figure = charts.risk_figure(record.summary, t)
    drift = charts.score_drift_figure(record.summary.get("drift"), t)
    return render(
        request, "prediction.html", user=user, prediction=record, figure=figure, drift=drift
    )
