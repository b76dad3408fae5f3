"""HTTP fetches that retry what is worth retrying, and bound what they read.

Connection failures, timeouts, ``429`` and ``5xx`` are retried with exponential backoff
(``Retry-After`` honoured up to the backoff's ceiling); any other status fails at once,
naming it. A body larger than the bound is refused while it streams, never read whole.
The configured URL is the operator's; each redirect is checked by the outbound rule
(:mod:`entrepot.outbound`, ADR 0052) before it is asked, and every request connects to the
address that was checked (the name is resolved once per hop: no DNS rebinding).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from entrepot.city.errors import CityError
from entrepot.messages import N_, Message, Size
from entrepot.outbound import (
    HINT,
    BodyTooLarge,
    Outbound,
    OutboundRefused,
    Resolve,
    bounded,
    pinned,
    shown,
    system_resolve,
)

#: The largest body read from one feed (the recent days of the counts export are far less).
MAX_BODY = 512 * 1024 * 1024
#: A status worth asking again.
_RETRIED = {429, 500, 502, 503, 504}
#: Redirects followed for one fetch.
MAX_REDIRECTS = 5
#: The request extension holding the addresses :func:`fetch` checked for the request's host.
ADDRESSES = "entrepot.addresses"


class FeedUnavailable(CityError):
    """A feed did not answer after the retries, or answered with an error."""


@dataclass(frozen=True, slots=True)
class Retries:
    """How often, and how patiently, to ask again."""

    attempts: int = 4
    #: Seconds before the first retry; doubled for each next one.
    backoff: float = 2.0
    #: The longest wait between two attempts.
    ceiling: float = 60.0
    timeout: float = 30.0


def user_agent() -> str:
    """What the collector says it is (feeds' operators ask for a name and a version)."""
    try:
        release = version("entrepot")
    except PackageNotFoundError:  # running from a source tree that is not installed
        release = "dev"
    return f"entrepot/{release} (city collector)"


def client(timeout: float) -> httpx.Client:
    """An HTTP client with the collector's user agent and timeouts; :func:`fetch` follows
    the redirects itself, checking where each one leads, and the client connects only to
    the addresses :func:`fetch` checked (:class:`PinnedTransport`)."""
    headers = {"User-Agent": user_agent()}
    return httpx.Client(
        headers=headers, timeout=timeout, follow_redirects=False, transport=PinnedTransport()
    )


class PinnedTransport(httpx.BaseTransport):
    """Each request connected to an address :func:`fetch` resolved and checked for it (its
    :data:`ADDRESSES` extension), the next one tried when a connection fails; the name is
    never resolved here again (DNS rebinding), and a request without checked addresses is
    refused before anything is sent."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        addresses: tuple[str, ...] = request.extensions.get(ADDRESSES) or ()
        if not addresses:
            raise OutboundRefused(
                f"{request.url.host} was not checked: nothing is sent",
                said=Message(N_("error.city.outbound_unchecked"), {"host": request.url.host}),
            )
        for address in addresses[:-1]:
            try:
                return self._inner.handle_request(pinned(request, address))
            except httpx.ConnectError:
                continue  # the next address the name resolved to (all were checked)
        return self._inner.handle_request(pinned(request, addresses[-1]))

    def close(self) -> None:
        self._inner.close()


def fetch(
    http: httpx.Client,
    url: str,
    *,
    retries: Retries,
    max_body: int = MAX_BODY,
    sleep: Callable[[float], None] = time.sleep,
    resolve: Resolve = system_resolve,
    allowed_hosts: Collection[str] = (),
) -> bytes:
    """The body of ``url`` (the operator's); raises :class:`FeedUnavailable` naming the
    last failure, or a URL the outbound rule refuses (``allowed_hosts``: the operator's
    exceptions, ``ENTREPOT_OUTBOUND_ALLOWED_HOSTS``)."""
    rule = Outbound.of([url], allowed_hosts)
    reason = rule.transport_refusal(*_parts(httpx.URL(url))[:2])
    if reason is not None:
        raise FeedUnavailable(
            f"{_shown(url)} is not fetched: {reason}",
            hint=HINT,
            said=Message(N_("error.city.feed_refused"), {"url": _shown(url), "reason": reason}),
        )
    last = ""
    retry_after: float | None = None
    for attempt in range(retries.attempts):
        if attempt:
            sleep(_wait(retries, attempt, retry_after))
        retry_after = None
        try:
            with _follow(http, url, rule, resolve) as answer:
                if answer.status_code in _RETRIED:
                    last = f"HTTP {answer.status_code}"
                    retry_after = _retry_after(answer.headers)
                    continue
                if answer.status_code != 200:
                    raise FeedUnavailable(
                        f"{_shown(url)} answered HTTP {answer.status_code}",
                        hint="check the feed's base URL setting (docs/city.md)",
                        said=Message(
                            N_("error.city.feed_http"),
                            {"url": _shown(url), "status": answer.status_code},
                        ),
                    )
                return _bounded(answer, url, max_body)
        except httpx.HTTPError as exc:  # connection refused, reset, timed out
            last = f"{type(exc).__name__}: {exc}"
        except OutboundRefused as exc:  # the operator's host did not resolve (this time)
            last = exc.reason
    raise FeedUnavailable(
        f"{_shown(url)} did not answer after {retries.attempts} attempt(s): {last}",
        hint="the next collection retries; check the network or the feed's status page",
        said=Message(
            N_("error.city.feed_no_answer"),
            {"url": _shown(url), "attempts": retries.attempts, "last": last[:300]},
        ),
    )


@contextlib.contextmanager
def _follow(
    http: httpx.Client, url: str, rule: Outbound, resolve: Resolve
) -> Iterator[httpx.Response]:
    """The streamed answer of ``url`` after its redirects: each host resolved once and
    checked before it is asked, then asked at an address that was checked."""
    addresses = rule.destination(*_parts(httpx.URL(url)), resolve)
    for _ in range(MAX_REDIRECTS + 1):
        with http.stream("GET", url, extensions={ADDRESSES: addresses}) as answer:
            if not answer.is_redirect:
                yield answer
                return
            target = answer.next_request.url if answer.next_request else None
        if target is None:
            raise FeedUnavailable(
                f"{_shown(url)} redirects without a Location",
                said=Message(N_("error.city.feed_redirect_nowhere"), {"url": _shown(url)}),
            )
        try:
            addresses = rule.destination(*_parts(target), resolve)
        except OutboundRefused as exc:
            raise FeedUnavailable(
                f"{_shown(url)} redirects to {_shown(str(target))}: {exc.reason}; not followed",
                hint=HINT,
                said=Message(
                    N_("error.city.feed_redirect_refused"),
                    {"url": _shown(url), "target": _shown(str(target)), "reason": exc.reason},
                ),
            ) from None
        url = str(target)
    raise FeedUnavailable(
        f"{_shown(url)}: more than {MAX_REDIRECTS} redirects",
        said=Message(N_("error.city.feed_redirects"), {"url": _shown(url), "most": MAX_REDIRECTS}),
    )


def _bounded(answer: Any, url: str, max_body: int) -> bytes:
    declared = answer.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body:
        raise FeedUnavailable(
            f"{_shown(url)} announces {declared} bytes, over {max_body}",
            said=Message(
                N_("error.city.feed_too_big"),
                {"url": _shown(url), "declared": Size(int(declared)), "limit": Size(max_body)},
            ),
        )
    try:
        return bounded(answer.iter_bytes(), max_body, _shown(url))
    except BodyTooLarge as exc:
        raise FeedUnavailable(
            exc.message,
            said=exc.said
            or Message(
                N_("error.city.feed_too_big_body"), {"url": _shown(url), "limit": Size(max_body)}
            ),
        ) from None


def _parts(url: httpx.URL) -> tuple[str, str, int | None]:
    """What the client connects to: the URL as httpx parsed it, never parsed again."""
    return url.scheme, url.host, url.port


def _wait(retries: Retries, attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, retries.ceiling)
    base = retries.backoff * 2 ** (attempt - 1)
    return float(min(base * random.uniform(0.8, 1.2), retries.ceiling))


def _retry_after(headers: Any) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the backoff decides


_shown = shown
