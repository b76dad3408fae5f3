"""A request body must keep arriving (ADR 0040): the rule on a clock moved by hand, then the
middleware with a fake ``receive`` and a fake clock (nothing sleeps)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from entrepot.config import Settings
from entrepot.http.options import web_options
from entrepot.http.pace import STALLED, TOO_SLOW, BodyPace, BodyPaceGuard, PaceWatch

PACE = BodyPace(idle_seconds=30.0, min_rate=1000.0, grace_seconds=10.0)


def test_a_steady_body_is_never_refused() -> None:
    watch = PaceWatch(PACE, now=0.0)
    for second in range(1, 120):
        assert watch.verdict(float(second)) is None
        watch.arrived(2000, float(second))  # 2000 bytes a second, twice the minimum


def test_a_pause_is_refused_once_it_reaches_the_idle_limit() -> None:
    pace = BodyPace(idle_seconds=5.0, min_rate=0.0, grace_seconds=0.0)
    watch = PaceWatch(pace, now=100.0)
    watch.arrived(10, 101.0)
    assert watch.verdict(105.9) is None
    refused = watch.verdict(106.0)
    assert refused is not None and refused.code == STALLED
    assert refused.said.params["seconds"].value == 5.0  # type: ignore[union-attr]


def test_a_trickle_is_refused_after_the_grace_period_with_its_average_rate() -> None:
    watch = PaceWatch(PACE, now=0.0)
    sent = 0
    for second in range(1, 10):  # 500 bytes a second: too slow, but still in the grace
        watch.arrived(500, float(second))
        sent += 500
        assert watch.verdict(second + 0.5) is None
    refused = watch.verdict(12.0)
    assert refused is not None and refused.code == TOO_SLOW
    rate = refused.said.params["rate"].value  # type: ignore[union-attr]
    assert rate == pytest.approx(sent / 12.0)
    assert refused.said.params["minimum"].value == PACE.min_rate  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("chunks", "pace"),
    [
        ([], PACE),
        ([(1.0, 50_000)], PACE),  # ahead of the minimum: the idle limit comes first
        ([(1.0, 100), (2.0, 100)], PACE),  # behind it: the grace's end comes first
        ([(3.0, 8000)], BodyPace(idle_seconds=60.0, min_rate=1000.0, grace_seconds=2.0)),
        ([(3.0, 10)], BodyPace(idle_seconds=60.0, min_rate=0.0, grace_seconds=0.0)),
    ],
)
def test_the_wait_ends_exactly_when_the_verdict_turns(
    chunks: list[tuple[float, int]], pace: BodyPace
) -> None:
    watch = PaceWatch(pace, now=0.0)
    now = 0.0
    for now, size in chunks:
        watch.arrived(size, now)
    wait = watch.wait(now)
    assert wait > 0
    assert watch.verdict(now + wait - 1e-6) is None
    assert watch.verdict(now + wait + 1e-9) is not None


class Clock:
    """A clock giving scripted readings, then its last one again (or one set by hand)."""

    def __init__(self, *readings: float) -> None:
        self.readings = list(readings)
        self.now = 0.0

    def __call__(self) -> float:
        if self.readings:
            self.now = self.readings.pop(0)
        return self.now


def run_guard(
    pace: BodyPace, clock: Clock, pieces: list[bytes], headers: list[tuple[bytes, bytes]]
) -> tuple[dict[str, Any], bytes, list[dict[str, Any]]]:
    """An app that reads the whole body and then listens for a disconnection, behind the
    guard; ``receive`` gives ``pieces`` (more to come) then hangs until cancelled."""
    given: Iterator[bytes] = iter(pieces)
    read: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        piece = next(given, None)
        if piece is None:
            await asyncio.Event().wait()  # a client that stopped sending
        return {"type": "http.request", "body": piece, "more_body": True}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            read.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers}
    asyncio.run(asyncio.wait_for(BodyPaceGuard(app, pace, clock)(scope, receive, send), 30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start, body, read


def test_a_client_that_stops_sending_is_answered_408_and_the_connection_closed() -> None:
    # the chunk at 1 s; the next one still awaited at 40 s, past the 30 s idle limit
    start, body, read = run_guard(PACE, Clock(0, 1, 1, 40), [b"abc"], [])
    assert start["status"] == 408
    assert (b"connection", b"close") in start["headers"]
    answer = json.loads(body)
    assert answer["code"] == STALLED and "30 s" in answer["message"]
    assert [m["body"] for m in read] == [b"abc"]  # the app saw what came, then the refusal


def test_the_refusal_speaks_the_client_s_language() -> None:
    headers = [(b"accept-language", b"fr-FR,fr;q=0.9")]
    start, body, _ = run_guard(PACE, Clock(0, 1, 1, 40), [b"abc"], headers)
    assert start["status"] == 408
    assert json.loads(body)["message"].startswith("Le corps de la requête a cessé d’arriver")


def test_a_trickling_client_is_answered_408_naming_the_minimum() -> None:
    # a byte at 1, 2 and 3 s, then nothing more at 12 s: 3 bytes in 12 s, under 1000 a second
    clock = Clock(0, 1, 1, 2, 2, 3, 3, 12)
    start, body, _ = run_guard(PACE, clock, [b"a", b"b", b"c"], [])
    assert start["status"] == 408
    answer = json.loads(body)
    assert answer["code"] == TOO_SLOW and "1,000" in answer["message"]


def test_a_complete_body_is_not_timed_any_more() -> None:
    pieces = [b"abc"]

    async def receive_all() -> None:
        calls: Iterator[dict[str, Any]] = iter(
            [
                {"type": "http.request", "body": b"abc", "more_body": False},
                {"type": "http.disconnect"},
            ]
        )
        seen: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return next(calls)

        async def app(scope: Any, receive: Any, send: Any) -> None:
            seen.append(await receive())
            clock.now = 1e6  # every deadline is long past
            seen.append(await receive())  # a streamed answer listening for a disconnection

        async def send(message: Any) -> None:
            raise AssertionError(f"nothing is answered: {message}")

        clock = Clock(0.0)
        await BodyPaceGuard(app, PACE, clock)({"type": "http", "headers": []}, receive, send)
        assert [m["type"] for m in seen] == ["http.request", "http.disconnect"]
        assert seen[0]["body"] == pieces[0]

    asyncio.run(receive_all())


def test_the_pace_is_read_from_the_settings() -> None:
    settings = Settings.unchecked(
        http_body_timeout=7.5, http_min_rate=2048, http_body_grace=3.0, secret_key="x" * 40
    )
    pace = web_options(settings).body_pace
    assert pace == BodyPace(idle_seconds=7.5, min_rate=2048, grace_seconds=3.0)


def test_the_minimum_rate_takes_a_size() -> None:
    assert Settings(http_min_rate="2KiB", secret_key="y" * 40).web.min_rate == 2048
