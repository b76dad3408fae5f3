"""``/docs`` (Swagger UI over ``/openapi.json``) and the favicon, from this site's own files.

Swagger UI 5's assets (it reads OpenAPI 3.1, which FastAPI writes) come from the
``fastapi-offline`` package, never a CDN: the service may run where the internet is out of
reach. Its start-up script is a file of ours, since the site's Content-Security-Policy
refuses inline scripts.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

_STATIC = Path(__file__).with_name("static")
#: The Swagger UI files served, and their media types.
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
#: Our own files beside them: the start-up script and a theme that reaches WCAG AA contrast.
_OURS = {
    "swagger-init.js": _ASSETS["swagger-ui-bundle.js"],
    "swagger-theme.css": _ASSETS["swagger-ui.css"],
}
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Entrepôt API — Swagger UI</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/docs/assets/swagger-theme.css">
</head>
<body>
<main id="swagger-ui" aria-label="Entrepôt API reference"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-init.js"></script>
</body>
</html>
"""
#: Cached for a day: the files change only with the installed package.
_CACHE = {"Cache-Control": "public, max-age=86400"}


@cache
def _asset(name: str) -> bytes:
    if name in _OURS:
        return (_STATIC / name).read_bytes()
    return (resources.files("fastapi_offline") / "static" / name).read_bytes()


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI: every route of the API, tried from the browser with a token."""
    return HTMLResponse(_PAGE)


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    """One of Swagger UI's files (a fixed list: nothing else of the disk is reachable)."""
    if name in _OURS:
        return Response(_asset(name), media_type=_OURS[name], headers=_CACHE)
    if name not in _ASSETS:
        raise HTTPException(status_code=404)
    return Response(_asset(name), media_type=_ASSETS[name], headers=_CACHE)


@router.get("/favicon.svg")
@router.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon (SVG, which browsers accept at either name)."""
    return Response((_STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml",
                    headers=_CACHE)  # fmt: skip
