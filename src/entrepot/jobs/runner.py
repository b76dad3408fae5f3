"""Run one job: claim it, keep its heartbeat while the handler works, record the outcome.

Handlers are plain functions ``handler(job, progress) -> result`` registered by kind; they
raise :class:`~entrepot.errors.EntrepotError` for a failure worth telling the user (its
message becomes the job's error), anything else is logged and reported as an internal
error without its details.

A job is cancelled from outside by marking it finished (its owner's account is being
deleted): from then on every commit its handler makes is refused (``jobs/guard.py``) and
its next progress report stops it with :class:`~entrepot.jobs.guard.JobCancelled`; once the
handler has unwound, the runner releases the job, which is what the canceller awaits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import EntrepotError
from entrepot.jobs.codes import error_code
from entrepot.jobs.guard import JobCancelled, running
from entrepot.messages import N_, Message

log = logging.getLogger("entrepot.jobs")
Clock = Callable[[], datetime]


class Progress(Protocol):
    """What a handler calls to report progress: a fraction from 0 to 1 and a message."""

    def __call__(self, fraction: float, message: Message | None = None) -> None: ...


#: Told of each progress report as it is made.
Observer = Callable[[float, Message | None], object]


#: A job handler: does the work and returns a JSON-ready result.
Handler = Callable[[JobRecord, Progress], Mapping[str, Any]]


class JobRunner:
    """Runs jobs by id with the handler registered for their kind."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        handlers: Mapping[str, Handler],
        *,
        worker: str,
        heartbeat_seconds: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self._uow = uow_factory
        self._handlers = dict(handlers)
        self.worker = worker
        self._heartbeat = heartbeat_seconds
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def kinds(self) -> frozenset[str]:
        """The job kinds this runner can run."""
        return frozenset(self._handlers)

    def run(self, job_id: str, *, observe: Observer | None = None) -> JobState | None:
        """Run job ``job_id`` if it is still queued; returns its final state, or ``None`` if
        another worker has it, it is finished, or it was cancelled while it ran.
        ``observe(fraction, message)`` is told of every progress report as it is made (a
        command running a job in its own process shows them)."""
        with self._uow() as uow:
            job = uow.jobs.claim(job_id, self.worker, self._clock())
            uow.commit()
        if job is None:
            return None
        log.info("job started", extra={"job": job.id, "kind": job.kind, "attempt": job.attempts})
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job.id, stop), daemon=True)
        beat.start()
        try:
            return self._execute(job, observe)
        finally:
            stop.set()
            beat.join(timeout=5)

    def _execute(self, job: JobRecord, observe: Observer | None = None) -> JobState | None:
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise EntrepotError(
                    f"no worker knows how to run {job.kind!r} jobs",
                    said=Message(N_("error.jobs.unknown_kind"), {"kind": job.kind}),
                )
            with running(job.id, self.worker):
                result = handler(job, _Reporter(self, job.id, observe))
        except JobCancelled:
            # Cancelled (then _finish finds it no longer ours and releases it), or its owner
            # was deactivated or deleted while it ran (then it is failed here).
            log.info("job stopped: cancelled, or its owner is gone", extra={"job": job.id})
            self._finish(
                job.id,
                ok=False,
                error=Message(N_("error.job_stopped")),
                code="job_cancelled",
            )
            return None
        except EntrepotError as exc:
            log.info("job failed", extra={"job": job.id, "error": str(exc)})
            failure = exc.said if exc.said is not None else str(exc)
            self._finish(job.id, ok=False, error=failure, code=error_code(exc))
            return JobState.FAILED
        except Exception as exc:
            log.exception("job crashed", extra={"job": job.id})
            self._finish(
                job.id,
                ok=False,
                error=Message(
                    N_("error.job_crashed"), {"error": type(exc).__name__, "job": job.id}
                ),
                code="internal_error",
            )
            return JobState.FAILED
        self._finish(job.id, ok=True, result=result)
        log.info("job succeeded", extra={"job": job.id})
        return JobState.SUCCEEDED

    def _finish(
        self,
        job_id: str,
        *,
        ok: bool,
        result: Mapping[str, Any] | None = None,
        error: str | Message = "",
        code: str = "",
    ) -> None:
        with self._uow() as uow:
            now = self._clock()
            if ok:
                done = uow.jobs.succeed(job_id, self.worker, now, result or {})
            else:
                done = uow.jobs.fail(job_id, self.worker, now, error, code)
            uow.commit()
        if not done:
            log.warning("job was cancelled or taken back meanwhile", extra={"job": job_id})
            self._release(job_id)

    def _release(self, job_id: str) -> None:
        """Tell whoever cancelled the job that this worker has stopped working on it."""
        try:
            with self._uow() as uow:
                uow.jobs.release(job_id, self.worker)
                uow.commit()
        except EntrepotError:
            log.warning("could not release a cancelled job", extra={"job": job_id}, exc_info=True)

    def _beat(self, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(self._heartbeat):
            self.report(job_id)

    def report(
        self, job_id: str, progress: float | None = None, message: Message | None = None
    ) -> bool:
        """Record a heartbeat (and progress) of ``job_id``; ``False`` if the job is no longer
        this worker's (cancelled, or taken back by the reaper)."""
        try:
            with self._uow() as uow:
                mine = uow.jobs.beat(
                    job_id, self.worker, self._clock(), progress=progress, message=message
                )
                uow.commit()
                return mine
        except JobCancelled:
            return False
        except EntrepotError:  # the database is briefly away: the next beat will do
            log.warning("heartbeat failed", extra={"job": job_id}, exc_info=True)
            return True


class _Reporter:
    """The ``progress`` callable handed to a handler; writes at most twice a second."""

    def __init__(
        self,
        runner: JobRunner,
        job_id: str,
        observe: Observer | None = None,
    ) -> None:
        self._runner = runner
        self._job_id = job_id
        self._observe = observe
        self._last = 0.0

    def __call__(self, fraction: float, message: Message | None = None) -> None:
        if self._observe is not None:
            self._observe(fraction, message)
        now = time.monotonic()
        if now - self._last < 0.5 and fraction < 1.0:
            return
        self._last = now
        if not self._runner.report(self._job_id, fraction, message):
            raise JobCancelled(
                f"job {self._job_id} was cancelled or taken back while it ran",
                said=Message(N_("error.jobs.cancelled"), {"job": self._job_id}),
            )
