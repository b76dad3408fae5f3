"""Submit jobs and read them back, one owner at a time."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from entrepot.catalog.accounts.records import Page
from entrepot.catalog.jobs.records import JobRecord
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import StoreUnavailable
from entrepot.jobs.queue import JobQueue
from entrepot.messages import N_, Message

log = logging.getLogger("entrepot.jobs")
Clock = Callable[[], datetime]


class QueueUnavailable(StoreUnavailable):
    """The task queue cannot take the job."""

    hint = "check that Redis (ENTREPOT_JOBS_URL) is running, then submit the job again"


class JobService:
    """Jobs as their owners see them."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        queue: JobQueue,
        *,
        routes: Mapping[str, JobQueue] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._uow = uow_factory
        self.queue = queue
        #: Job kinds carried on a queue of their own (city units: a backfill's many small
        #: jobs never wait behind a training, and a ``city run`` works only on its own).
        self._routes = dict(routes or {})
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        """The catalog the jobs are recorded in."""
        return self._uow

    def queue_for(self, kind: str) -> JobQueue:
        """The queue that carries ``kind`` jobs."""
        return self._routes.get(kind, self.queue)

    def resend(self, job_id: str) -> None:
        """Send ``job_id`` again, on its kind's queue (the reaper's requeue)."""
        with self._uow() as uow:
            kind = uow.jobs.get(job_id, any_owner=True).kind
        self.queue_for(kind).enqueue(job_id)

    def pending(self) -> int:
        """How many messages wait, on every queue."""
        queues = {id(q): q for q in (self.queue, *self._routes.values())}
        return sum(q.pending() for q in queues.values())

    def record(
        self,
        uow: UnitOfWork,
        *,
        owner_id: int | None,
        kind: str,
        params: Mapping[str, Any],
        max_attempts: int = 2,
    ) -> JobRecord:
        """Record a queued job in the caller's transaction; after committing, the caller
        calls :meth:`send`."""
        return uow.jobs.add(
            job_id=uuid.uuid4().hex,
            owner_id=owner_id,
            kind=kind,
            params=params,
            now=self._clock(),
            max_attempts=max_attempts,
        )

    def send(self, job: JobRecord) -> None:
        """Hand a committed job to the queue; if the queue is down, the job is marked failed
        (never left queued with no message) and :class:`QueueUnavailable` raised."""
        try:
            self.queue_for(job.kind).enqueue(job.id)
        except ConnectionError as exc:
            with self._uow() as uow:
                if uow.jobs.claim(job.id, "submitter", self._clock()) is not None:
                    uow.jobs.fail(job.id, "submitter", self._clock(), str(exc), "queue_unavailable")
                uow.commit()
            raise QueueUnavailable(
                str(exc),
                said=Message(N_("error.jobs.queue_unavailable"), {"detail": str(exc)[:200]}),
            ) from None

    def submit(self, *, owner_id: int | None, kind: str, params: Mapping[str, Any]) -> JobRecord:
        """Record and send a job in one go."""
        with self._uow() as uow:
            job = self.record(uow, owner_id=owner_id, kind=kind, params=params)
            uow.commit()
        self.send(job)
        return job

    def submit_many(
        self, *, owner_id: int | None, kind: str, params: Sequence[Mapping[str, Any]]
    ) -> list[JobRecord]:
        """Record one job of ``kind`` per entry of ``params`` in one transaction (all or
        none), then send them; the jobs, in order."""
        with self._uow() as uow:
            jobs = [self.record(uow, owner_id=owner_id, kind=kind, params=p) for p in params]
            uow.commit()
        for job in jobs:
            self.send(job)
        return jobs

    def count_by_state(self) -> dict[str, int]:
        """How many jobs are in each state (the ``/metrics`` gauge)."""
        with self._uow() as uow:
            return uow.jobs.count_by_state()

    def get(self, owner_id: int, job_id: str) -> JobRecord:
        """Job ``job_id`` of ``owner_id``; another owner's is not found."""
        with self._uow() as uow:
            return uow.jobs.get(job_id, owner_id=owner_id)

    def many(self, job_ids: Iterable[str]) -> dict[str, JobRecord]:
        """The jobs among ``job_ids``, whoever's (one query: a submitter polling its jobs)."""
        with self._uow() as uow:
            return uow.jobs.many(job_ids)

    def get_any(self, job_id: str) -> JobRecord:
        """Job ``job_id``, whoever's (the service's own jobs, admins)."""
        with self._uow() as uow:
            return uow.jobs.get(job_id, any_owner=True)

    def list(
        self,
        owner_id: int,
        *,
        kinds: Iterable[str] | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> Page[JobRecord]:
        """``owner_id``'s jobs, newest first."""
        with self._uow() as uow:
            return uow.jobs.list(owner_id, kinds=kinds, page=page, per_page=per_page)

    def newest_unfinished(self, owner_id: int | None, kind: str) -> JobRecord | None:
        """The newest queued or running ``kind`` job of ``owner_id`` (``None``: the
        service's own), if any."""
        with self._uow() as uow:
            return uow.jobs.newest_unfinished(owner_id, kind)

    def unfinished(self, owner_id: int | None, kind: str) -> int:
        """How many ``kind`` jobs of ``owner_id`` are queued or running."""
        with self._uow() as uow:
            return uow.jobs.count_unfinished(owner_id, kind)
