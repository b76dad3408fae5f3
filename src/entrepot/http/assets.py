"""The pages' static files (styles, scripts, the charts' library), compressed and cached by
content.

Each asset is read once, gzipped once (Plotly.js: 4.8 MB → about 1.4 MB) and served at a
URL that carries its content's hash (``/assets/app.3f2a9c1b7d0e.css``), with
``Cache-Control: immutable`` for a year: a browser asks again only when the file changes,
since the page then names another URL. The plain name (``/assets/app.css``) still answers,
revalidated each time, for links made before.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from entrepot.i18n.charts import plotly_locale

router = APIRouter(include_in_schema=False)

_WEB = Path(__file__).parents[1] / "web" / "static"
_DASHBOARD = Path(__file__).parents[1] / "dashboard" / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
#: The hash's length in URLs (48 bits: no two versions of one file collide in practice).
DIGEST_CHARS = 12
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"


def _plotly() -> bytes:
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


def _plotly_french() -> bytes:
    return plotly_locale("fr").encode()


#: Every asset, by name, and the file it is read from, or the function that writes it
#: (Plotly.js from its package; its French locale from CLDR and the catalog).
SOURCES: dict[str, Path | Callable[[], bytes]] = {
    "app.css": _WEB / "app.css",
    "app.js": _WEB / "app.js",
    "analyst.js": _WEB / "analyst.js",
    "city-charts.js": _DASHBOARD / "city-charts.js",
    "plotly.min.js": _plotly,
    "plotly-locale-fr.js": _plotly_french,
}


@dataclass(frozen=True, slots=True)
class Asset:
    """One asset's bytes, gzipped bytes and content hash."""

    name: str
    body: bytes
    gzipped: bytes
    digest: str

    @property
    def url(self) -> str:
        """The URL naming this content (``/assets/<stem>.<hash><suffix>``)."""
        stem, dot, suffix = self.name.partition(".")
        return f"/assets/{stem}.{self.digest}{dot}{suffix}"


@cache
def asset(name: str) -> Asset:
    """The asset ``name`` (read and compressed on first use)."""
    source = SOURCES[name]
    body = source.read_bytes() if isinstance(source, Path) else source()
    digest = hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]
    return Asset(name, body, gzip.compress(body, compresslevel=9, mtime=0), digest)


def asset_url(name: str) -> str:
    """The content-hashed URL of the asset ``name``, for templates."""
    return asset(name).url


def _lookup(requested: str) -> tuple[Asset, bool]:
    """The asset a URL's file name names, and whether it named this exact content."""
    if requested in SOURCES:
        return asset(requested), False
    stem, _, rest = requested.partition(".")
    digest, _, suffix = rest.partition(".")
    name = f"{stem}.{suffix}"
    if name not in SOURCES or asset(name).digest != digest:
        raise HTTPException(status_code=404)
    return asset(name), True


@router.get("/assets/{requested}")
def serve_asset(requested: str, request: Request) -> Response:
    """An asset, gzipped for a client that accepts it; immutable under its hashed name."""
    found, exact = _lookup(requested)
    headers = {
        "Cache-Control": IMMUTABLE if exact else REVALIDATE,
        "ETag": f'"{found.digest}"',
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    body = found.body
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        body, headers["Content-Encoding"] = found.gzipped, "gzip"
    suffix = "." + found.name.rsplit(".", 1)[-1]
    return Response(body, media_type=_TYPES[suffix], headers=headers)
