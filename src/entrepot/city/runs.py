"""Incremental runs: recompute only the (type, day) whose inputs changed, then the reports.

For each metric type and local day the runner lists the day's inputs (keys and
content versions, no bytes read) and compares their digest with the watermark. A
(type, day) whose watermark is ``ok`` with the same digest is skipped; any other is
computed, its document replaces the stored one, and the watermark records the
inputs, the output's sha256 and ``ok``. The traffic days of a run share one scan of their
days' counts partitions (ADR 0084); the summary gives the bytes read from the store.

A bad day (malformed path, truncated JSON, wrong CSV separator or encoding, missing
référentiel...) is marked ``failed`` with its error, its stale document removed, and
the run goes on with the other days; :class:`RunSummary` lists every outcome. A day whose
input is missing is ``no-data`` if nothing was computed for it, and ``kept`` if something
was: a computed result is never deleted because its input went missing (``kept.py``); its
watermark records the inputs it was found missing from, so it is recomputed only when an
input changes. Errors of the infrastructure itself (store, catalog or metrics store
unreachable) stop the run: they say nothing about a day.

Then the report of each day is rebuilt when the metrics it reads (that day's and the
same weekday a week before) changed: its CSV goes to the object store through the
write protocol, its JSON to the metrics store (the nightly cron line: ``cli/city/runs.py``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from entrepot.catalog.city.records import Watermark
from entrepot.city import kept, layout
from entrepot.city.days import paris
from entrepot.city.errors import MetricsError, MissingInput
from entrepot.city.freshness import Watermarks, inputs_digest
from entrepot.city.kinds import METRIC_TYPES, REPORT, check_types
from entrepot.city.lake import InputRef, Lake
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.city.metrics.base import MetricsStore
from entrepot.city.pipeline import DayProcessor
from entrepot.city.report import build_report, previous_week
from entrepot.city.report_files import ReportFiles, new_run_id
from entrepot.city.stations import versions_for
from entrepot.errors import AccessDenied, CatalogError, EntrepotError, StoreUnavailable

log = logging.getLogger("entrepot.city")

Status = Literal["computed", "skipped", "failed", "no-data", "kept"]
#: Errors that concern the whole run, not one day: they propagate.
INFRASTRUCTURE_ERRORS = (StoreUnavailable, AccessDenied, CatalogError, MetricsError)
#: Traffic days aggregated per scan of the counts (bounds the aggregate held in memory).
TRAFFIC_CHUNK_DAYS = 92
#: Where each metric type's hourly partitions live.
API_SOURCE = {"bikes": "bikes", "disruptions": "traffic", "weather": "weather"}


@dataclass(frozen=True)
class Outcome:
    """What a run did for one (source, day); ``source`` is a metric type or ``report``."""

    source: str
    day: date
    status: Status
    error: str | None = None
    sha256: str | None = None
    csv_key: str | None = None
    #: For ``kept``: the day the input was first found missing.
    input_missing_since: date | None = None
    #: For ``failed`` and ``no-data``: the error as a stored message (``{"key",
    #: "params"}``) a page or an API answer writes in its reader's language, if it has one.
    said: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = {
            "source": self.source,
            "date": self.day.isoformat(),
            "status": self.status,
        }
        for name in ("error", "sha256", "csv_key", "said"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.input_missing_since is not None:
            data["input_missing_since"] = self.input_missing_since.isoformat()
        return data


@dataclass(frozen=True)
class RunSummary:
    """Every outcome of one run."""

    run_id: str
    outcomes: tuple[Outcome, ...] = field(default_factory=tuple)
    #: The bytes of objects the run read from the store (None: not counted, a fanned-out run).
    bytes_read: int | None = None

    def count(self, status: Status) -> int:
        """How many outcomes have ``status``."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        """The failed outcomes."""
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def absent(self) -> dict[str, int]:
        """Source -> how many of its days had no data (not a failure)."""
        found: dict[str, int] = {}
        for outcome in self.outcomes:
            if outcome.status == "no-data":
                found[outcome.source] = found.get(outcome.source, 0) + 1
        return found

    @property
    def input_missing(self) -> dict[str, int]:
        """Source -> how many of its days were kept though their input is missing."""
        found: dict[str, int] = {}
        for outcome in self.outcomes:
            if outcome.status == "kept":
                found[outcome.source] = found.get(outcome.source, 0) + 1
        return found

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run": self.run_id,
            "computed": self.count("computed"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "no_data": self.count("no-data"),
            "kept": self.count("kept"),
            "absent": self.absent,
            "input_missing": self.input_missing,
            "results": [o.as_dict() for o in self.outcomes],
            **({} if self.bytes_read is None else {"bytes_read": self.bytes_read}),
        }


def describe_error(exc: BaseException) -> str:
    """One line for a watermark: the message, or the type for an unexpected error."""
    if isinstance(exc, EntrepotError):
        return str(exc)
    return f"internal error ({type(exc).__name__}): {exc}"


class CityRunner:
    """Runs the pipeline over days, incrementally, into a metrics store."""

    def __init__(
        self,
        lake: Lake,
        metrics: MetricsStore,
        watermarks: Watermarks,
        reports: ReportFiles | None = None,
        *,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        threads: int = DEFAULT_SCAN_THREADS,
        progress: Callable[[Outcome], None] | None = None,
        today: Callable[[], date] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        bytes_read: Callable[[], int] | None = None,
    ) -> None:
        self.lake = lake
        self.bytes_read = bytes_read  # the bytes read from the store so far, when counted
        self.metrics = metrics
        self.watermarks = watermarks
        self.reports = reports
        self.processor = DayProcessor(lake, memory_limit=memory_limit, threads=threads)
        self.progress = progress or (lambda _outcome: None)
        #: ``(done, total)`` (source, day) outcomes of the run under way, after each one.
        self.on_progress = on_progress or (lambda _done, _total: None)
        self._done, self._total = 0, 0
        self.today = today or (lambda: datetime.now(paris()).date())

    def run(
        self,
        days: Sequence[date],
        types: Iterable[str] = METRIC_TYPES,
        *,
        force: bool = False,
        report: bool = True,
    ) -> RunSummary:
        """Bring ``types`` (and, with ``report``, the reports) of ``days`` up to date;
        ``force`` recomputes even what the watermarks say is current."""
        run_id = new_run_id()
        read_before = self.bytes_read() if self.bytes_read else 0
        chosen = check_types(types)
        ordered = sorted(set(days))
        reporting = report and self.reports is not None
        self._done, self._total = 0, len(ordered) * (len(chosen) + reporting)
        self.on_progress(0, self._total)
        outcomes: list[Outcome] = []
        for kind in chosen:
            outcomes += self._run_type(kind, ordered, run_id, force)
        if reporting:
            outcomes += [self._report(day, run_id, force) for day in ordered]
        read = self.bytes_read() - read_before if self.bytes_read else None
        return RunSummary(run_id, tuple(outcomes), read)

    # -- metric types ----------------------------------------------------------------
    def inputs(self, kind: str, day: date) -> tuple[InputRef, ...]:
        """What (``kind``, ``day``) is computed from, as listed in the store."""
        if kind in API_SOURCE:
            refs = self.lake.day_inputs(API_SOURCE[kind], day)
            if kind == "bikes":
                with contextlib.suppress(MissingInput):  # optional: capacities unchecked
                    versions = self.lake.batch_inputs(layout.STATIONS_JSON)
                    refs = (*refs, *versions_for(versions, day).refs)
            return refs
        if kind == "traffic":
            refs = self.lake.batch_inputs(layout.COUNTS_CSV)
        else:
            refs = (self.lake.batch_input(layout.ROADWORKS_CSV),)
        with contextlib.suppress(MissingInput):  # optional: arcs then unplaced
            refs = (*refs, self.lake.batch_input(layout.REFERENTIEL_CSV))
        return refs

    def _run_type(self, kind: str, days: list[date], run_id: str, force: bool) -> list[Outcome]:
        marks = self.watermarks.many(kind, days)
        outcomes: dict[date, Outcome] = {}
        pending: dict[date, tuple[InputRef, ...]] = {}
        for day in days:
            mark = marks.get(day)
            try:
                refs = self.inputs(kind, day)
            except MissingInput as exc:
                outcomes[day] = self._no_data(kind, day, exc, run_id, (), mark)
                continue
            except Exception as exc:
                outcomes[day] = self._failed(kind, day, (), exc, run_id)
                continue
            if not force and _current(mark, refs):
                outcomes[day] = self._emit(self._unchanged(kind, day, mark))
            else:
                pending[day] = refs
        for day, result in self._compute(kind, sorted(pending)):
            if isinstance(result, MissingInput):
                outcomes[day] = self._no_data(
                    kind, day, result, run_id, pending[day], marks.get(day)
                )
                continue
            if isinstance(result, BaseException):
                outcomes[day] = self._failed(kind, day, pending[day], result, run_id)
                continue
            stored = self.metrics.put(kind, day, result)
            self.watermarks.record(
                kind,
                day,
                inputs=pending[day],
                state="ok",
                run_id=run_id,
                output_sha256=stored.info.sha256,
            )
            outcomes[day] = self._emit(Outcome(kind, day, "computed", sha256=stored.info.sha256))
        return [outcomes[day] for day in days]

    def _compute(
        self, kind: str, days: list[date]
    ) -> Iterable[tuple[date, dict[str, Any] | BaseException]]:
        if not days:
            return
        if kind == "traffic":
            for first in range(0, len(days), TRAFFIC_CHUNK_DAYS):
                chunk = days[first : first + TRAFFIC_CHUNK_DAYS]
                try:
                    results = self.processor.traffic_days(chunk)
                except Exception as exc:
                    _reraise_infrastructure(exc)
                    yield from ((day, exc) for day in chunk)
                else:
                    yield from results.items()
            return
        for day in days:
            try:
                document = self.processor.run(day, [kind])[kind]
            except Exception as exc:
                _reraise_infrastructure(exc)
                yield day, exc
            else:
                yield day, document

    def _failed(
        self, kind: str, day: date, refs: Iterable[InputRef], exc: BaseException, run_id: str
    ) -> Outcome:
        _reraise_infrastructure(exc)
        message = describe_error(exc)
        if not isinstance(exc, EntrepotError):
            log.error("city %s %s failed unexpectedly", kind, day, exc_info=exc)
        else:
            log.warning("city %s %s failed: %s", kind, day, message)
        self.metrics.delete(kind, day)  # a stale document must not pass for current
        self.watermarks.record(kind, day, inputs=refs, state="failed", run_id=run_id, error=message)
        return self._emit(Outcome(kind, day, "failed", error=message, said=_said(exc)))

    def _no_data(
        self,
        kind: str,
        day: date,
        exc: MissingInput,
        run_id: str,
        refs: Sequence[InputRef],
        mark: Watermark | None,
    ) -> Outcome:
        # an absent source is not a failure; a computed document is kept (and marked), what
        # an earlier failure left (a watermark, no document) is removed
        stored = self.metrics.get(kind, day)
        if stored is None:
            self.watermarks.forget(kind, day)
            return self._emit(Outcome(kind, day, "no-data", error=exc.message, said=_said(exc)))
        since = kept.missing_since(stored.document)
        sha256 = stored.info.sha256
        if since is None:
            since = self.today()
            document = kept.marked(stored.document, since, exc.message)
            if document is not None:
                sha256 = self.metrics.put(kind, day, document).info.sha256
        note = kept.warning(since, exc.message)
        if not _current(mark, refs) or mark is None or mark.output_sha256 != sha256:
            # recorded with the inputs it was found missing from: recomputed when they change
            self.watermarks.record(
                kind, day, inputs=refs, state="ok", run_id=run_id, error=note, output_sha256=sha256
            )
        log.warning("city %s %s: %s", kind, day, note)
        return self._emit(
            Outcome(kind, day, "kept", error=note, sha256=sha256, input_missing_since=since)
        )

    def _unchanged(self, source: str, day: date, mark: Watermark | None) -> Outcome:
        """A current (source, day): ``skipped``, or ``kept`` if it was found without its
        input and its inputs have not changed since (its ``ok`` watermark carries the note)."""
        sha256 = None if mark is None else mark.output_sha256
        if mark is None or mark.error is None:
            return Outcome(source, day, "skipped", sha256=sha256)
        stored = self.metrics.get(source, day)
        since = None if stored is None else kept.missing_since(stored.document)
        return Outcome(
            source, day, "kept", error=mark.error, sha256=sha256, input_missing_since=since
        )

    def _emit(self, outcome: Outcome) -> Outcome:
        self.progress(outcome)
        self._done += 1
        self.on_progress(self._done, self._total)
        return outcome

    # -- reports ---------------------------------------------------------------------
    def _report(self, day: date, run_id: str, force: bool) -> Outcome:
        assert self.reports is not None
        current = {
            d.info.kind: d for d in self.metrics.find(kinds=METRIC_TYPES, start=day, end=day)
        }
        before = previous_week(day)
        previous = {
            d.info.kind: d for d in self.metrics.find(kinds=METRIC_TYPES, start=before, end=before)
        }
        refs = [
            InputRef(f"metrics/{kind}/{d.info.day.isoformat()}", d.info.sha256, 0)
            for docs in (current, previous)
            for kind, d in sorted(docs.items())
        ]
        mark = self.watermarks.get(REPORT, day)
        if not force and _current(mark, refs):
            return self._emit(self._unchanged(REPORT, day, mark))
        try:
            report = build_report(
                day,
                {k: d.document for k, d in current.items()},
                {k: d.document for k, d in previous.items()},
                run_id=run_id,
                sources={k: d.info.sha256 for k, d in current.items()},
            )
        except MissingInput as exc:
            return self._no_data(REPORT, day, exc, run_id, refs, mark)
        record = self.reports.write(day, report)
        stored = self.metrics.put(REPORT, day, report)
        self.watermarks.record(
            REPORT, day, inputs=refs, state="ok", run_id=run_id, output_sha256=stored.info.sha256
        )
        return self._emit(
            Outcome(REPORT, day, "computed", sha256=stored.info.sha256, csv_key=record.key)
        )


def _current(mark: Watermark | None, refs: Iterable[InputRef]) -> bool:
    return mark is not None and mark.state == "ok" and mark.inputs_digest == inputs_digest(refs)


def _reraise_infrastructure(exc: BaseException) -> None:
    if isinstance(exc, INFRASTRUCTURE_ERRORS) or not isinstance(exc, Exception):
        raise exc


def _said(exc: BaseException) -> dict[str, Any] | None:
    """An error's own message as stored (``{"key", "params"}``), when it has one."""
    said = getattr(exc, "said", None)
    return None if said is None else said.to_json()
