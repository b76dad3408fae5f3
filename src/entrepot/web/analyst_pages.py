"""The analyst's pages: retrain a model from the decisions, two versions side by side,
and the review of a prediction's flagged rows with keyboard shortcuts, which keeps its
place across reloads and undoes the last decision."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from entrepot.http.deps import PageUser, Services
from entrepot.http.sessions import flash
from entrepot.web import charts
from entrepot.web.forms import Csrf, act
from entrepot.web.i18n import translator
from entrepot.web.render import language, render

router = APIRouter(include_in_schema=False)


@router.post("/models/{model_id}/retrain")
def retrain(
    model_id: int, request: Request, user: PageUser, services: Services, csrf: Csrf
) -> Response:
    """Start the retraining with the analysts' decisions; follow its job."""

    def go() -> str:
        return f"/jobs/{services.fraud().training.submit_retrain(user.id, model_id).id}"

    return act(request, csrf, go, back=f"/models/{model_id}")


@router.get("/models/{model_id}/compare")
def compare(
    model_id: int, other: int, request: Request, user: PageUser, services: Services
) -> Response:
    """Two versions' test metrics and precision-recall curves on one page."""
    lang = language(request)
    t = translator(lang)
    details = [services.fraud().models.get(user.id, i, lang) for i in (model_id, other)]
    figure = charts.compare_figure(
        [(f"{d.info.name} {d.info.version}", d.analyst) for d in details], t
    )
    return render(request, "compare.html", user=user, models=details, figure=figure)


@router.get("/predictions/{prediction_id}/review")
def review(
    prediction_id: str,
    request: Request,
    user: PageUser,
    services: Services,
    row: int | None = None,
    risk: str | None = None,
) -> Response:
    """The flagged rows (or those of one risk level, ``risk``), highest risk first, each
    with the transaction's own fields, to label as fraud or legitimate: standing on the
    first row still undecided (a reload keeps the place), or on ``row``; at the end, the
    retraining with the decisions when the plan allows it, else why not."""
    feedback = services.fraud().feedback
    queue = feedback.queue(user.id, prediction_id, row, risk)
    offer = feedback.retrain_offer(user.id, prediction=queue.prediction)
    return render(
        request,
        "review.html",
        user=user,
        queue=queue,
        prediction=queue.prediction,
        offer=offer,
    )


@router.post("/predictions/{prediction_id}/review/undo")
def undo(
    prediction_id: str,
    request: Request,
    user: PageUser,
    services: Services,
    csrf: Csrf,
    risk: Annotated[str, Form()] = "",
) -> Response:
    """Remove the last decision on the prediction; back to the review (under the same
    risk filter), on its row."""
    t = translator(language(request))
    kept = [("risk", risk[:40])] if risk else []  # the review says if it knows no such filter
    back = f"/predictions/{prediction_id}/review"

    def go() -> str:
        removed = services.fraud().feedback.undo_last(user, prediction_id)
        if removed is None:
            flash(request, t("analyst.nothing_to_undo"), "success")
            return f"{back}?{urlencode(kept)}" if kept else back
        flash(request, t("analyst.undone", row=removed.row), "success")
        return f"{back}?{urlencode([*kept, ('row', removed.row)])}"

    return act(request, csrf, go, back=back)


@router.post("/predictions/{prediction_id}/rescore")
async def rescore(
    prediction_id: str, request: Request, user: PageUser, services: Services, csrf: Csrf
) -> Response:
    """Score the file again with the columns edited on the prediction page (one text box
    per model: ``upload column = model input`` per line)."""
    form = await request.form()
    mappings = {
        str(key).removeprefix("mapping:"): parse_mapping(str(value))
        for key, value in form.multi_items()
        if str(key).startswith("mapping:")
    }

    def go() -> str:
        found = {k: v for k, v in mappings.items() if v}
        return f"/jobs/{services.fraud().scoring.submit_rescore(user.id, prediction_id, found).id}"

    return act(request, csrf, go, back=f"/predictions/{prediction_id}")


def parse_mapping(text: str) -> dict[str, str]:
    """``upload column = model input`` lines as a mapping (blank lines skipped; a line
    without ``=`` keeps the column under its own name)."""
    found = {}
    for line in text.splitlines()[:2000]:
        upload, _, model = line.partition("=")
        if upload.strip():
            found[upload.strip()[:255]] = (model.strip() or upload.strip())[:255]
    return found
