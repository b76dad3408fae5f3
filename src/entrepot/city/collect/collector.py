"""Collect each feed once per hour into the lake.

A collection fetches a feed and hands its bytes to the same import as a downloaded file
(:func:`~entrepot.city.imports.importer.import_file`), which recognises the content and
places it. Then it writes a marker, ``collect/<feed>/dt=<day>/hour=<HH>.json`` (Paris
time; write-once, last, as the commit): while it exists the feed is not fetched again
that hour, so a cron line that fires twice, or a retried timer, adds nothing. A feed that
fails is reported and leaves no marker (the next run retries it); the others go on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from entrepot.city.collect.feeds import Feed
from entrepot.city.days import paris
from entrepot.city.errors import CityError
from entrepot.errors import ObjectExists
from entrepot.storage.protocols import Head, List, Put

#: Where the markers live in the lake's store.
MARKER_ROOT = "collect"

#: ``fetch(url) -> bytes``; raises :class:`CityError` when the feed cannot be had.
Fetch = Callable[[str], bytes]


class CollectStore(Put, List, Head, Protocol):
    """What a collection needs of a store: write-once puts, listings and existence."""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What collecting one feed did."""

    feed: str
    #: ``collected``, ``already collected`` or ``failed``.
    status: str
    bytes: int = 0
    objects: int = 0
    rows: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "warnings": list(self.warnings)}


@dataclass(frozen=True, slots=True)
class CollectReport:
    """What one collection did, feed by feed."""

    hour: datetime
    outcomes: tuple[FeedOutcome, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        """The feeds that could not be collected."""
        return tuple(o for o in self.outcomes if o.status == "failed")


def marker_key(feed: str, hour: datetime) -> str:
    """The marker of ``feed`` collected in the (Paris) hour holding ``hour``."""
    local = hour.astimezone(paris())
    return f"{MARKER_ROOT}/{feed}/dt={local.date().isoformat()}/hour={local.hour:02d}.json"


def collect(
    store: CollectStore,
    feeds: Iterable[Feed],
    fetch: Fetch,
    *,
    now: datetime | None = None,
    force: bool = False,
    on_feed: Callable[[FeedOutcome], None] | None = None,
) -> CollectReport:
    """Fetch and import every feed not yet collected this hour (all of them with ``force``)."""
    from entrepot.city.imports.importer import import_file  # pandas: not for --help

    moment = now or datetime.now(UTC)
    outcomes: list[FeedOutcome] = []
    for feed in feeds:
        marker = marker_key(feed.name, moment)
        if not force and store.exists(marker):
            outcome = FeedOutcome(feed.name, "already collected")
        else:
            outcome = _collect_one(store, feed, fetch, moment, marker, import_file)
        outcomes.append(outcome)
        if on_feed is not None:
            on_feed(outcome)
    return CollectReport(moment, tuple(outcomes))


def _collect_one(
    store: CollectStore,
    feed: Feed,
    fetch: Fetch,
    moment: datetime,
    marker: str,
    import_file: Callable[..., Any],
) -> FeedOutcome:
    url = feed.url(moment)
    try:
        body = fetch(url)
        result = import_file(store, body, name=feed.file_name, as_of=moment)
    except CityError as exc:
        text = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return FeedOutcome(feed.name, "failed", error=text)
    record = {
        "feed": feed.name,
        "url": url.split("?", 1)[0],
        "fetched_at": moment.isoformat(),
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
        "import": result.as_dict(),
    }
    with contextlib.suppress(ObjectExists):  # another collector finished this hour first
        store.put(marker, json.dumps(record, indent=1).encode(), if_absent=True)
    return FeedOutcome(
        feed.name,
        "collected",
        bytes=len(body),
        objects=len(result.keys) - result.already_present,
        rows=result.rows,
        warnings=tuple(result.warnings),
    )
