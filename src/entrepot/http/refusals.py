"""What the OpenAPI document says each operation may refuse, in one place: the 4xx
statuses of :mod:`entrepot.http.errors` (and of the body guards, :mod:`entrepot.http.bodies`
and :mod:`entrepot.http.pace`) and its 503, each with the one error schema they all answer
(:class:`ErrorOut`, ``#/components/schemas/Error``) and an example of it.

:func:`declare_refusals` has the app add them to its document when it is first built,
by rule from each operation: one that is not :data:`PUBLIC` may answer 401 and 403, one
with a path parameter 404, one with parameters or a body 400 and 422, one with a body 408
and 413, an upload 415, one of :data:`LICENSED` 402 (no licence in force), and one that
reads the catalog, the store or the metrics (:data:`BACKED`) 503 (one of them cannot be
reached, or the reference library is not built yet); :data:`EXTRA` adds what an
operation's service refuses beyond those (a taken e-mail: 409). A health check's 503 is
its own document, as its 200 is (:data:`HEALTH`). A status an operation declares itself
is kept as it is, but 422, which FastAPI documents with a shape this service never answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from entrepot.http.bodies import UPLOAD_PATHS


class ErrorOut(BaseModel):
    """Every refusal and failure of the API."""

    code: str = Field(description="The error's kind, in snake_case (stable)")
    message: str = Field(description="What happened and what to do")
    request_id: str | None = Field(default=None, description="To quote to an administrator")


#: Each status: what it means, and an example answer.
REFUSALS: dict[int, tuple[str, str, str]] = {
    400: ("The request cannot be used", "invalid_key", "the body could not be read as JSON"),
    401: ("Not signed in", "authentication_required", "sign in first"),
    402: ("A licence is needed", "licence_required", "your pro licence ended on 2026-01-31"),
    403: ("Not allowed", "not_allowed", "this needs an administrator (ask an administrator)"),
    404: ("Not found", "record_not_found", "no model 42"),
    408: (
        "The body stopped arriving",
        "body_stalled",
        "The request body stopped arriving: no byte for 30 s.",
    ),
    409: ("Conflicts with what exists", "email_taken", "an account already exists for a@b.c"),
    413: ("The body is too large", "too_large", "the request body is larger than 1 MiB"),
    415: ("Not a supported file", "unsupported_file_type", "send a CSV, XLSX or Parquet file"),
    422: ("Invalid input", "invalid_request", "the request is not valid: name: Field required"),
    429: ("Too many attempts", "too_many_attempts", "too many failed sign-ins; wait a minute"),
    503: (
        "Unavailable for now: the catalog, the store or the metrics cannot be reached, or "
        "the reference library is still being built",
        "library_not_ready",
        "the reference library is being built: unlabelled files cannot be scored yet",
    ),
}

#: What an operation's service refuses beyond the rules, by method and path.
EXTRA: dict[tuple[str, str], frozenset[int]] = {
    ("POST", "/api/auth/register"): frozenset({409}),
    ("POST", "/api/auth/login"): frozenset({401, 403, 429}),
    ("POST", "/api/me/password"): frozenset({401}),
    ("POST", "/api/licence/activate"): frozenset({409}),
    ("POST", "/api/admin/licences"): frozenset({409}),
    ("POST", "/api/train"): frozenset({404, 409}),
    ("POST", "/api/predict"): frozenset({404}),
    ("POST", "/api/apply_unlabeled"): frozenset({404}),
    ("POST", "/api/models/{model_id}/retrain"): frozenset({409}),
    ("DELETE", "/api/models/{model_id}"): frozenset({409}),
    ("PUT", "/api/models/{model_id}/aliases/{alias}"): frozenset({409}),
    ("POST", "/api/models/push"): frozenset({409}),
    ("POST", "/api/evaluate"): frozenset({404}),
    ("GET", "/api/download_s3_predictions"): frozenset({404}),
}
#: Operations whose service requires a licence in force (``LicenceService.require``).
LICENSED = frozenset(
    {
        ("POST", "/api/upload"),
        ("POST", "/api/analyze"),
        ("POST", "/api/train"),
        ("POST", "/api/predict"),
        ("POST", "/api/apply_unlabeled"),
        ("POST", "/api/evaluate"),
        ("POST", "/api/models/push"),
        ("POST", "/api/models/{model_id}/retrain"),
        ("POST", "/api/predictions/{prediction_id}/rescore"),
    }
)
#: Path prefixes whose operations read the catalog, the store or the metrics store.
BACKED = ("/api/", "/city/", "/dashboard/city")
#: Health checks: their 503 is their own document (what failed), like their 200.
HEALTH = frozenset({("GET", "/health"), ("GET", "/city/health")})
#: Path prefixes whose operations answer 404 when the day or item asked has no data.
LOOKUPS = ("/city/", "/dashboard/city")
#: Operations anyone may call (no 401 or 403 by rule).
PUBLIC = frozenset(
    {
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/login"),
        ("GET", "/health/live"),
        ("GET", "/health/ready"),
    }
)
#: Prefixes of the paths that authenticate every call.
AUTHENTICATED = ("/api/",)
ERROR_REF = "#/components/schemas/Error"
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def response_of(status: int) -> dict[str, Any]:
    """The OpenAPI response of ``status``: its description, schema and example."""
    description, code, message = REFUSALS[status]
    example = {"code": code, "message": message, "request_id": "3f2a9c1b7d0e4a55"}
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}, "example": example}},
    }


def refusals_of(method: str, path: str, operation: dict[str, Any]) -> frozenset[int]:
    """The 4xx statuses the operation ``method path`` (its OpenAPI object) may answer."""
    statuses: set[int] = set()
    where = {p.get("in") for p in operation.get("parameters", [])}
    body = method in _WITH_BODY or "requestBody" in operation
    if path.startswith(AUTHENTICATED) and (method, path) not in PUBLIC:
        statuses |= {401, 403}
    if "path" in where or path.startswith(LOOKUPS):
        statuses.add(404)
    if where or body:
        statuses |= {400, 422}
    if body:
        statuses |= {408, 413}
    if path in UPLOAD_PATHS:
        statuses.add(415)
    if (method, path) in LICENSED:
        statuses.add(402)
    if path.startswith(BACKED) and (method, path) not in HEALTH:
        statuses.add(503)
    return frozenset(statuses | EXTRA.get((method, path), frozenset()))


def declare(document: dict[str, Any]) -> None:
    """Add the refusals to an OpenAPI ``document``, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(refusals_of(method.upper(), path, operation)):
                if str(status) not in responses or status == 422:
                    responses[str(status)] = response_of(status)
            if (method.upper(), path) in HEALTH and "200" in responses:
                unhealthy = {**responses["200"], "description": "Something it checks failed"}
                responses.setdefault("503", unhealthy)


def declare_refusals(app: FastAPI) -> None:
    """Have ``app``'s OpenAPI document declare every operation's refusals."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            declare(build())  # FastAPI keeps the document it built: this is that one
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
