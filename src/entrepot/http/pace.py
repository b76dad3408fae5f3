"""Request bodies that must keep arriving: a client that stops sending, or trickles its
body in, is answered 408 and its connection closed (ADR 0040).

A pure ASGI middleware wrapping ``receive``: while a request's body is incomplete, each
chunk must come within :attr:`BodyPace.idle_seconds` of the one before, and, once the
:attr:`BodyPace.grace_seconds` have passed, the body must have come at
:attr:`BodyPace.min_rate` bytes a second or more on average. :class:`PaceWatch` holds the
rule, on a clock it is given (a test moves it by hand); :class:`BodyPaceGuard` waits for
each chunk no longer than :meth:`PaceWatch.wait` allows. Once the body is complete,
``receive`` is passed through untouched (a streamed download listens on it for the
client's disconnection, for as long as it takes).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrepot.http.bodies import send_refusal
from entrepot.i18n.catalogs import LANGUAGES
from entrepot.i18n.messages import speaker
from entrepot.i18n.negotiation import negotiate
from entrepot.messages import N_, Number
from entrepot.messages import Message as Said

#: What a stalled body and a trickling one are told (``error.<code>`` in the catalogs).
STALLED = "body_stalled"
TOO_SLOW = "body_too_slow"
_KEYS = (N_("error.body_stalled"), N_("error.body_too_slow"))


@dataclass(frozen=True, slots=True)
class BodyPace:
    """How fast a request body must arrive (the ``http_body_*`` settings)."""

    #: Longest wait for the next chunk of an incomplete body.
    idle_seconds: float
    #: Slowest average rate accepted (bytes a second); 0: no minimum.
    min_rate: float
    #: Seconds before the average rate counts (a connection warming up).
    grace_seconds: float


class BodyTimeout(Exception):
    """A request body stopped arriving, or arrived too slowly; ``said`` tells the client."""

    def __init__(self, code: str, said: Said) -> None:
        super().__init__(code)
        self.code = code
        self.said = said


class PaceWatch:
    """One request body's pace: when it started, what came and when the last chunk did."""

    def __init__(self, pace: BodyPace, now: float) -> None:
        self.pace = pace
        self.started = self.last = now
        self.received = 0

    def arrived(self, size: int, now: float) -> None:
        """A chunk of ``size`` bytes came at ``now``."""
        self.received += size
        self.last = now

    def wait(self, now: float) -> float:
        """Seconds the next chunk may take from ``now`` before :meth:`verdict` refuses
        (0: it already does)."""
        pace = self.pace
        deadline = self.last + pace.idle_seconds
        if pace.min_rate > 0:
            # the average stays at min_rate until received / min_rate after the start
            slow_at = self.started + max(pace.grace_seconds, self.received / pace.min_rate)
            deadline = min(deadline, slow_at)
        return max(0.0, deadline - now)

    def verdict(self, now: float) -> BodyTimeout | None:
        """The refusal due at ``now`` when no chunk came since the last one (``None``:
        still in time)."""
        pace = self.pace
        if now - self.last >= pace.idle_seconds:
            said = Said(f"error.{STALLED}", {"seconds": Number(pace.idle_seconds, 0)})
            return BodyTimeout(STALLED, said)
        elapsed = now - self.started
        if pace.min_rate > 0 and elapsed >= pace.grace_seconds:
            rate = self.received / elapsed if elapsed > 0 else 0.0
            if rate < pace.min_rate:
                said = Said(
                    f"error.{TOO_SLOW}",
                    {"rate": Number(rate, 0), "minimum": Number(pace.min_rate, 0)},
                )
                return BodyTimeout(TOO_SLOW, said)
        return None


class BodyPaceGuard:
    """ASGI middleware answering 408 to a request body that does not keep to ``pace``."""

    def __init__(
        self, app: ASGIApp, pace: BodyPace, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.pace = pace
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watch = PaceWatch(self.pace, self.clock())
        complete = False
        refused: BodyTimeout | None = None
        started = False

        async def paced_receive() -> Message:
            nonlocal complete, refused
            if refused is not None:
                raise refused
            if complete:
                return await receive()
            while True:
                try:
                    message = await asyncio.wait_for(receive(), watch.wait(self.clock()))
                except TimeoutError:
                    refused = watch.verdict(self.clock())
                    if refused is not None:
                        raise refused from None
                    continue  # woken early: the deadline moved on
                break
            if message["type"] == "http.request":
                watch.arrived(len(message.get("body", b"")), self.clock())
                complete = not message.get("more_body", False)
            else:  # a disconnection: nothing more will come
                complete = True
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused is not None:  # whatever the app made of the cut body, the answer is ours
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _refuse(send, scope, refused)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, paced_receive, watched_send)
        except BodyTimeout as exc:
            if not started:
                started = True
                await _refuse(send, scope, exc)


def refusal_language(scope: Scope) -> str:
    """The language of a refusal: the request's ``Accept-Language``, else English (the
    API's language)."""
    accept = next(
        (v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"accept-language"),
        None,
    )
    return negotiate(None, accept, LANGUAGES, "en")


async def _refuse(send: Send, scope: Scope, refused: BodyTimeout) -> None:
    # a signed-in page's script gets its page's language (the hook the pages install, as
    # for the 413 of ``bodies.py``); anyone else the language its request asks for
    state = getattr(scope.get("app"), "state", None)
    page_language = getattr(state, "page_language", None)
    lang = await page_language(scope) if page_language is not None else None
    message = speaker(lang or refusal_language(scope))(refused.said)
    await send_refusal(send, 408, refused.code, message)
