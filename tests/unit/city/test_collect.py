"""``collect``: the live feeds, served from recorded real responses on 127.0.0.1, go into the
lake through the same import as downloaded files; once per hour; retried with backoff; a
feed that fails is reported and leaves no marker, the others are stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from entrepot.city.collect.collector import CollectReport, collect, marker_key
from entrepot.city.collect.feeds import FeedUrls, feed_names, feeds
from entrepot.city.collect.fetch import FeedUnavailable, Retries, client, fetch, user_agent
from entrepot.city.imports.importer import import_file
from entrepot.storage.memory import MemoryStore
from tests.support.feeds import RECORDED, Feeds, recorded_feeds
from tests.support.real_paris import real

NOW = datetime(2024, 8, 17, 10, 15, tzinfo=UTC)
QUICK = Retries(attempts=3, backoff=0.0, timeout=5.0)
#: The recorded feeds are served over plain http on loopback, which the operator allows.
LOOPBACK = ("127.0.0.1",)


@pytest.fixture
def server() -> Iterator[Feeds]:
    with recorded_feeds() as feeds_:
        yield feeds_


def run(
    server: Feeds, store: MemoryStore, *, now: datetime = NOW, force: bool = False
) -> CollectReport:
    urls = FeedUrls(f"{server.url}/velib", f"{server.url}/weather", f"{server.url}/portal")
    with client(5.0) as http:
        return collect(
            store,
            feeds(urls),
            lambda url: fetch(http, url, retries=QUICK, allowed_hosts=LOOPBACK),
            now=now,
            force=force,
        )


def keys(store: MemoryStore, prefix: str = "") -> set[str]:
    return {info.key for info in store.list(prefix)}


def test_every_feed_is_collected_into_the_lake_as_its_download_would_be(
    server: Feeds,
) -> None:
    lake = MemoryStore()
    report = run(server, lake)
    assert [(o.feed, o.status) for o in report.outcomes] == [
        (name, "collected") for name in feed_names()
    ]
    for name in feed_names():
        assert lake.exists(marker_key(name, NOW))
    # The time series land exactly where importing the downloaded files puts them.
    for path in ("/velib/station_status.json", "/weather"):
        direct = MemoryStore()
        import_file(direct, real(RECORDED[path]), as_of=NOW)
        assert keys(direct, "raw/") <= keys(lake, "raw/")
    counts = next(o for o in report.outcomes if o.feed == "traffic-counts")
    assert counts.rows > 0 and counts.objects > 0


def test_the_requests_say_who_asks_and_ask_only_for_recent_days(server: Feeds) -> None:
    run(server, MemoryStore())
    assert {r.user_agent for r in server.requests} == {user_agent()}
    (counts,) = server.asked("/portal/catalog/datasets/comptages-routiers-permanents/exports/csv")
    since = (NOW - timedelta(days=2)).date().isoformat()
    assert counts.query["where"] == [f"t_1h >= date'{since}'"]
    assert counts.query["delimiter"] == [";"] and counts.query["use_labels"] == ["true"]
    (weather,) = server.asked("/weather")
    assert weather.query["timezone"] == ["GMT"] and "temperature_2m" in weather.query["hourly"][0]


def test_a_second_run_in_the_same_hour_fetches_nothing(server: Feeds) -> None:
    lake = MemoryStore()
    run(server, lake)
    before, asked = keys(lake), len(server.requests)
    again = run(server, lake, now=NOW + timedelta(minutes=30))
    assert {o.status for o in again.outcomes} == {"already collected"}
    assert len(server.requests) == asked and keys(lake) == before
    forced = run(server, lake, now=NOW + timedelta(minutes=40), force=True)
    assert {o.status for o in forced.outcomes} == {"collected"}
    assert len(server.requests) == asked + len(feed_names())
    later = run(server, lake, now=NOW + timedelta(hours=1))
    assert {o.status for o in later.outcomes} == {"collected"}  # a new hour


def test_a_busy_feed_is_retried_and_collected(server: Feeds) -> None:
    server.failures["/velib/station_status.json"] = (503, 2)
    report = run(server, MemoryStore())
    assert report.failed == ()
    assert len(server.asked("/velib/station_status.json")) == 3


def test_a_failing_feed_is_reported_leaves_no_marker_and_the_others_go_in(
    server: Feeds,
) -> None:
    server.failures["/weather"] = (503, -1)
    server.failures["/portal/catalog/datasets/chantiers-perturbants/exports/csv"] = (404, -1)
    lake = MemoryStore()
    report = run(server, lake)
    failed = {o.feed: o.error for o in report.failed}
    assert set(failed) == {"weather", "roadworks"}
    assert "did not answer after 3 attempt(s): HTTP 503" in str(failed["weather"])
    assert "answered HTTP 404" in str(failed["roadworks"])
    assert len(server.asked("/weather")) == 3
    assert not lake.exists(marker_key("weather", NOW))
    assert lake.exists(marker_key("velib-status", NOW))
    server.failures.clear()
    retried = run(server, lake, now=NOW + timedelta(minutes=5))
    statuses = {o.feed: o.status for o in retried.outcomes}
    assert statuses["weather"] == "collected" and statuses["velib-status"] == "already collected"


def test_a_page_that_is_no_feed_stores_nothing(server: Feeds) -> None:
    server.bodies["/velib/station_status.json"] = b"<html><body>Maintenance</body></html>"
    lake = MemoryStore()
    report = run(server, lake)
    (failed,) = report.failed
    assert failed.feed == "velib-status" and "station_status.json" in str(failed.error)
    assert not lake.exists(marker_key("velib-status", NOW))


def test_an_unreachable_feed_fails_after_its_attempts() -> None:
    with recorded_feeds() as gone:
        url = gone.url
    with client(1.0) as http, pytest.raises(FeedUnavailable, match="3 attempt"):
        fetch(http, f"{url}/velib/station_status.json", retries=QUICK, allowed_hosts=LOOPBACK)


def test_a_body_over_the_bound_is_refused_by_its_length_or_while_it_streams(
    server: Feeds,
) -> None:
    with client(5.0) as http, pytest.raises(FeedUnavailable, match="announces"):
        fetch(http, f"{server.url}/weather", retries=QUICK, max_body=100, allowed_hosts=LOOPBACK)

    def endless(request: httpx.Request) -> httpx.Response:  # no Content-Length
        return httpx.Response(200, content=iter([b"x" * 64] * 1000))

    endless_feed = httpx.Client(transport=httpx.MockTransport(endless))
    with endless_feed, pytest.raises(FeedUnavailable, match="sent more than 100 bytes"):
        fetch(
            endless_feed,
            "https://feed.test/x",
            retries=QUICK,
            max_body=100,
            resolve=lambda _: ["93.184.216.34"],  # the host is resolved, then asked there
        )


def test_waits_grow_and_honour_retry_after(server: Feeds) -> None:
    waits: list[float] = []
    server.failures["/weather"] = (503, 2)
    with client(5.0) as http:
        fetch(
            http,
            f"{server.url}/weather",
            retries=Retries(attempts=3, backoff=1.0),
            sleep=waits.append,
            allowed_hosts=LOOPBACK,
        )
    assert waits == [0.0, 0.0]  # the server's Retry-After: 0
    server.failures["/weather"] = (500, 2)
    waits.clear()
    transport = httpx.MockTransport(lambda request: httpx.Response(502))
    with httpx.Client(transport=transport) as failing, pytest.raises(FeedUnavailable):
        fetch(failing, "https://feed.test/x", retries=Retries(attempts=3, backoff=1.0),
              sleep=waits.append)  # fmt: skip
    assert len(waits) == 2 and 0.8 <= waits[0] <= 1.2 and 1.6 <= waits[1] <= 2.4
