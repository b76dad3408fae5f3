"""The city app's use cases (``app.city``): each command, route and job calls one method.

The rules live here once: which days a run covers (:mod:`entrepot.city_service.days`),
that a metrics copy goes between two stores, which metric types exist. Nothing heavy is
imported until a method runs: ``entrepot city status`` reads the watermarks without the
ORM, ``generate`` needs numpy only, ``process`` and ``run`` pandas and DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.catalog.reads import ReadOnlyUnitOfWork, read_only
from entrepot.city.days import parse_as_of, parse_day
from entrepot.city.kinds import METRIC_TYPES, REPORT, check_kind, check_types
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.city_service.days import run_days
from entrepot.city_service.parts import CityParts, Given
from entrepot.city_service.records import Generated, RunRequest
from entrepot.errors import ConfigError, LocalFileNotFound
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.catalog.city.records import Watermark
    from entrepot.city.check.records import CheckResult
    from entrepot.city.collect.collector import CollectReport, FeedOutcome
    from entrepot.city.collect.feeds import FeedUrls
    from entrepot.city.imports.files import ProgressFor
    from entrepot.city.imports.records import ImportSummary
    from entrepot.city.metrics.copy import CopyResult
    from entrepot.city.runs import Outcome, RunSummary
    from entrepot.city_service.queue import CityJobs
    from entrepot.city_service.spread import CitySpread
    from entrepot.jobs.worker import Worker
    from entrepot.storage.protocols import Store


class CityService(CityParts):
    """The city use cases over their parts (:class:`CityParts`: store, catalog, metrics,
    reports, the lake; the JSON API's and the dashboard's reads use the metrics store and
    the watermarks directly) and the job queue, each built on first use: ``jobs``, the
    queue; ``reads``, the read-only units of work for the fast reads without the ORM
    (default: on the catalog's engine); ``feed_urls``, where the feeds are collected from;
    ``spread``, the workers a run may spread over (the composition root's)."""

    def __init__(
        self,
        store: Given[Store],
        *,
        engine: Given[Engine] | None = None,
        metrics_url: str | None = None,
        scan_threads: int = DEFAULT_SCAN_THREADS,
        jobs: Callable[[], CityJobs] | None = None,
        reads: Callable[[], ReadOnlyUnitOfWork] | None = None,
        feed_urls: Callable[[], FeedUrls] | None = None,
        spread: CitySpread | None = None,
    ) -> None:
        super().__init__(store, engine=engine, metrics_url=metrics_url, scan_threads=scan_threads)
        self._jobs = jobs
        self._spread = spread
        self._reads = reads or (lambda: read_only(self.engine)())
        self._feed_urls = feed_urls

    @cached_property
    def jobs(self) -> CityJobs:
        """The city job queue (``entrepot worker --queue city``)."""
        if self._jobs is None:
            raise ConfigError(
                "this city service has no job queue",
                hint="run it as `entrepot city ...`, which opens ENTREPOT_JOBS_URL",
                said=Message(N_("error.city.no_jobs")),
            )
        return self._jobs()

    def _scoped(self, prefix: str) -> Store:
        store = self.store
        return store.scoped(prefix) if prefix.strip("/") else store

    def generate(
        self,
        start: str,
        *,
        prefix: str = "",
        on_progress: Callable[[int, int], None] | None = None,
        **counts: Any,
    ) -> Generated:
        """``entrepot city generate``: synthetic raw data from the local day ``start``;
        ``counts`` are :class:`~entrepot.city.generator.GenerateOptions`' other fields;
        ``on_progress(done, total)``: parts written, of how many."""
        from entrepot.city.generator import GenerateOptions, generate  # numpy: when used

        options = GenerateOptions(start=parse_day(start), **counts)
        store = self._scoped(prefix)
        return Generated(store.url, generate(store, options, on_progress=on_progress))

    def process(
        self,
        day: str,
        types: Sequence[str] | None = None,
        *,
        prefix: str = "",
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
    ) -> dict[str, Any]:
        """``entrepot city process``: the metrics of one local day, computed, not stored."""
        from entrepot.city.pipeline import DayProcessor  # pandas, DuckDB: when used

        when = parse_day(day)
        chosen = check_types(types or METRIC_TYPES)
        processor = DayProcessor(self.lake(prefix), memory_limit=memory_limit)
        return processor.run(when, chosen)

    def run(
        self,
        request: RunRequest,
        *,
        progress: Callable[[Outcome], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> RunSummary:
        """``entrepot city run``: bring the days of ``request`` up to date, here
        (``progress``: each (source, day) outcome; ``on_progress``: how many of them are
        done, of how many)."""
        days = run_days(request.day, request.since, request.until)
        types = check_types(request.types or METRIC_TYPES)
        runner = self.runner(
            request.prefix,
            memory_limit=request.memory_limit,
            progress=progress,
            on_progress=on_progress,
        )
        return runner.run(days, types, force=request.force, report=request.report)

    def run_spread(
        self,
        request: RunRequest,
        workers: int,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> RunSummary:
        """``entrepot city run --workers N``: the units of ``request`` over the Dask
        scheduler ``ENTREPOT_DASK_URL`` names, else over ``workers`` local processes
        (:mod:`entrepot.city.spread`); in process, as :meth:`run`, for one worker."""
        if self._spread is None or workers <= 1:
            return self.run(request, on_progress=on_progress)
        from entrepot.city.spread import spread_run

        days = run_days(request.day, request.since, request.until)
        types = check_types(request.types or METRIC_TYPES)
        with self._spread.pools(workers) as pool:
            if pool is None:
                return self.run(request, on_progress=on_progress)
            task, shared = self._spread.task, self._spread.shared(workers)
            return spread_run(
                pool, task, shared, days, types, **_unit_options(request), on_progress=on_progress
            )

    def run_on_queue(
        self, request: RunRequest, *, on_progress: Callable[[int, int], None] | None = None
    ) -> RunSummary:
        """``entrepot city run --jobs``: the (type, day) units of ``request`` on the job
        queue, worked by any worker sharing it; waits for them and their reports."""
        from entrepot.city.fanout import fan_out

        days = run_days(request.day, request.since, request.until)
        types = check_types(request.types or METRIC_TYPES)
        jobs = self.jobs
        return fan_out(
            jobs.submit, jobs.poll, days, types, **_unit_options(request), on_progress=on_progress
        )

    def worker(self, threads: int = 1) -> Worker:
        """A worker on the city queue (not started)."""
        return self.jobs.worker(threads)

    def check(
        self,
        since: str | None = None,
        until: str | None = None,
        *,
        prefix: str = "",
        on_progress: Callable[[int, int], None] | None = None,
    ) -> CheckResult:
        """``entrepot city check``: every stored traffic and weather metric of
        ``[since, until]`` (every stored day by default) recomputed from the lake by the
        second computation of :mod:`entrepot.city.check`, and compared (``on_progress``:
        documents done, of how many)."""
        from entrepot.city.check.checker import check  # pandas: when used

        start = parse_day(since) if since else None
        end = parse_day(until) if until else None
        return check(self._scoped(prefix), self.metrics, start, end, on_progress=on_progress)

    def status(
        self,
        *,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        failed: bool = False,
    ) -> list[Watermark]:
        """``entrepot city status``: the watermarks, filtered (no ORM: a fast read)."""
        with self._reads() as catalog:
            return catalog.watermarks.find(
                source=None if source is None else check_kind(source),
                start=None if since is None else parse_day(since),
                end=None if until is None else parse_day(until),
                state="failed" if failed else None,
            )

    def document(self, kind: str, day: str) -> dict[str, Any]:
        """The stored metrics document of ``kind`` on ``day``."""
        checked = check_types([kind])[0]
        return self.metrics.require(checked, parse_day(day)).document

    def report(self, day: str) -> dict[str, Any]:
        """The stored daily report of ``day``."""
        return self.metrics.require(REPORT, parse_day(day)).document

    def report_csv(self, day: str) -> bytes:
        """The latest report CSV of ``day``, read verified from the store."""
        _, data = self.reports.read_latest(parse_day(day))
        return data

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        prefix: str = "",
        as_of: str | None = None,
        progress_for: ProgressFor | None = None,
    ) -> ImportSummary:
        """``entrepot city import``: files, folders and archives into the lake; ``as_of``
        (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``, :func:`~entrepot.city.days.parse_as_of`)
        dates the exports whose content does not say when they were taken."""
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise LocalFileNotFound(
                f"no such file or folder: {', '.join(missing)}; nothing was imported",
                hint="check the path; `entrepot city import` takes the exports as downloaded, "
                "or folders of them",
                said=Message(N_("error.city.import_missing"), {"paths": ", ".join(missing)}),
            )
        from entrepot.city.imports.files import import_paths  # pandas, DuckDB: when used

        when = None if as_of is None else parse_as_of(as_of)
        return import_paths(self._scoped(prefix), paths, as_of=when, progress_for=progress_for)

    def collect(
        self,
        names: Sequence[str] | None = None,
        *,
        prefix: str = "",
        force: bool = False,
        attempts: int = 4,
        backoff: float = 2.0,
        on_feed: Callable[[FeedOutcome], None] | None = None,
    ) -> CollectReport:
        """``entrepot city collect``: fetch the feeds ``names`` (default: every one) at the
        configured addresses into the lake, once an hour."""
        from entrepot.city.collect.collector import collect
        from entrepot.city.collect.feeds import feeds
        from entrepot.city.collect.fetch import Retries, client, fetch

        if self._feed_urls is None:
            raise ConfigError(
                "no feed addresses configured",
                hint="see `entrepot config show`",
                said=Message(N_("error.city.no_feeds")),
            )
        urls = self._feed_urls()
        chosen = tuple(f for f in feeds(urls) if not names or f.name in names)
        policy = Retries(attempts=attempts, backoff=backoff)
        with client(policy.timeout) as http:
            return collect(
                self._scoped(prefix),
                chosen,
                lambda url: fetch(http, url, retries=policy, allowed_hosts=urls.allowed_hosts),
                force=force,
                on_feed=on_feed,
            )

    def copy_metrics(
        self,
        source: str,
        target: str,
        *,
        day: str | None = None,
        kinds: Sequence[str] | None = None,
        dry_run: bool = False,
    ) -> CopyResult:
        """``entrepot city copy-metrics``: the stored documents from one metrics store to
        another, verified."""
        chosen = None if not kinds else [check_kind(k) for k in kinds]
        when: date | None = None if day is None else parse_day(day)
        if source == target:
            raise ConfigError(
                "--from and --to are the same store",
                hint="give two different URLs",
                said=Message(N_("error.city.copy_same_store")),
            )
        from entrepot.city.metrics.copy import copy_metrics
        from entrepot.city.metrics.url import open_metrics

        with open_metrics(source) as origin, open_metrics(target) as destination:
            return copy_metrics(
                origin, destination, kinds=chosen, start=when, end=when, dry_run=dry_run
            )


def _unit_options(request: RunRequest) -> dict[str, Any]:
    """How each unit of a spread or queued run reads and writes (``city.fanout.units``)."""
    return {
        "prefix": request.prefix,
        "force": request.force,
        "report": request.report,
        "memory_limit": request.memory_limit,
    }
