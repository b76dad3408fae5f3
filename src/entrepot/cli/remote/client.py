"""A small HTTP client for the deployed service's API: the token sent as a bearer, every
answer bounded, every wait timed out, the service's refusals turned into the command
line's errors (their exit codes are in :mod:`entrepot.cli.errors`) with the message the
service wrote, and no redirect followed (a token is sent to the URL given, nowhere else).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any

import entrepot
from entrepot.cli.language import accept_language, reader_language
from entrepot.cli.remote.errors import (
    NotAnEntrepot,
    RemoteError,
    Unreachable,
)
from entrepot.cli.remote.target import Remote
from entrepot.errors import ConfigError, IntegrityError
from entrepot.http.digest import sha256_of
from entrepot.i18n.catalogs import translator
from entrepot.messages import N_, Message
from entrepot.sizes import human_size
from entrepot.storage.hashing import copy_counted

if TYPE_CHECKING:
    import httpx

#: The largest JSON answer read (a listing of thousands of models is far smaller).
MAX_JSON = 32 * 1024**2
#: Seconds to connect, and to wait for each read of an answer.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 120.0


def _httpx() -> ModuleType:
    """httpx (the ``remote`` extra), or a :class:`ConfigError` saying how to install it."""
    try:
        import httpx
    except ModuleNotFoundError:
        raise ConfigError(
            "working on a deployed service needs the httpx library, which is not installed",
            hint="pip install 'entrepot[remote]'",
            said=Message(
                N_("error.cli.needs_httpx"), {"install": "pip install 'entrepot[remote]'"}
            ),
        ) from None
    return httpx


class Client:
    """The API of one service, as one user (``remote``'s token)."""

    def __init__(self, remote: Remote, *, transport: httpx.BaseTransport | None = None) -> None:
        httpx = _httpx()
        self.url = remote.url
        self._http = httpx.Client(
            base_url=remote.url,
            headers={
                "Authorization": f"Bearer {remote.token}",
                "Accept": "application/json",
                "Accept-Language": accept_language(),
                "User-Agent": f"entrepot-cli/{entrepot.__version__}",
            },
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        """The JSON document the API answers to ``GET path``."""
        with self._request("GET", path, params=params) as response:
            return self._json(response)

    def post_json(self, path: str, body: Mapping[str, Any]) -> Any:
        """The JSON document the API answers to ``POST path`` with the JSON ``body``."""
        with self._request("POST", path, json=dict(body)) as response:
            return self._json(response)

    def delete(self, path: str) -> None:
        """``DELETE path`` (its answer is not read further)."""
        with self._request("DELETE", path):
            pass

    def upload(self, path: str, file: Path, fields: Mapping[str, str] | None = None) -> Any:
        """``POST path`` with ``file`` as the multipart field ``file`` (streamed from the
        disk, never read whole) and ``fields`` beside it; the JSON document answered."""
        with file.open("rb") as handle:
            files = {"file": (file.name, handle, "application/octet-stream")}
            with self._request("POST", path, files=files, data=dict(fields or {})) as response:
                return self._json(response)

    def download_checked(self, path: str, into: IO[bytes], size: int) -> str:
        """Write the body of ``GET path`` into ``into``, checked as it comes: ``size``
        bytes exactly, and the sha256 the answer's ``Repr-Digest`` gives (RFC 9530) when
        it gives one; the sha256 of what was written. A mismatch is an
        :class:`IntegrityError` (the caller places nothing)."""
        with self._request("GET", path) as response:
            expected = sha256_of(response.headers.get("repr-digest"))
            written, found = copy_counted(response.iter_bytes(), into, size)
        if written != size or (expected is not None and found != expected):
            raise IntegrityError(
                f"{path} as downloaded does not match what the service keeps ({size} bytes"
                + (f", sha256 {expected}" if expected else "")
                + "); nothing was written",
                hint="run the command again; if it persists, the service's operator runs "
                "`entrepot verify`",
                said=Message(
                    N_("error.cli.download_differs_sha256"),
                    {"path": path, "size": str(size), "sha256": expected},
                )
                if expected
                else Message(N_("error.cli.download_differs"), {"path": path, "size": str(size)}),
            )
        return found

    def download(self, path: str, into: IO[bytes], limit: int) -> int:
        """Write the body of ``GET path`` into ``into`` (at most ``limit`` bytes: more is
        an error); the count of bytes written."""
        written = 0
        with self._request("GET", path) as response:
            for chunk in response.iter_bytes():
                written += len(chunk)
                if written > limit:
                    raise NotAnEntrepot(self.url, f"{path} is larger than {human_size(limit)}")
                into.write(chunk)
        return written

    @contextmanager
    def _request(self, method: str, path: str, **options: Any) -> Iterator[httpx.Response]:
        httpx = _httpx()
        try:
            with self._http.stream(method, path, **options) as response:
                if response.is_redirect:
                    where = response.headers.get("location", "elsewhere")
                    raise NotAnEntrepot(self.url, f"it redirects to {where}: use that URL")
                if response.status_code >= 400:
                    raise self._refusal(response)
                yield response
        except httpx.TimeoutException:
            raise Unreachable(self.url, "it did not answer in time") from None
        except httpx.TransportError as exc:
            raise Unreachable(self.url, str(exc) or type(exc).__name__) from None

    def _json(self, response: httpx.Response) -> Any:
        if "json" not in response.headers.get("content-type", ""):
            raise NotAnEntrepot(self.url, f"{response.url.path} answered something else than JSON")
        try:
            return json.loads(_bounded(response, MAX_JSON, self.url))
        except ValueError:
            raise NotAnEntrepot(self.url, f"{response.url.path} answered broken JSON") from None

    def _refusal(self, response: httpx.Response) -> RemoteError:
        status = response.status_code
        body: Any = {}
        with suppress(ValueError, NotAnEntrepot):
            body = json.loads(_bounded(response, MAX_JSON, self.url))
        if not isinstance(body, dict):
            body = {}
        code = str(body.get("code") or f"http_{status}")
        message = str(body.get("message") or f"{self.url} answered HTTP {status}")
        if status >= 500 and body.get("request_id") and "request" not in message:
            message += f" (request {body['request_id']})"
        # a refused token: the fix is the command line's login, not the web's sign-in page
        t = translator(reader_language())
        hint = t(N_("cli.remote.log_in_again"), url=self.url)
        return RemoteError(
            message, status=status, code=code, url=self.url, hint=hint if status == 401 else None
        )


def _bounded(response: httpx.Response, limit: int, url: str) -> bytes:
    """The body of ``response``, at most ``limit`` bytes (more is :class:`NotAnEntrepot`)."""
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise NotAnEntrepot(url, f"an answer larger than {human_size(limit)}")
        parts.append(chunk)
    return b"".join(parts)
