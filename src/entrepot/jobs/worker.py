"""Worker threads: take job ids from the queue and run them; reap on a timer.

``entrepot serve`` runs one in its own process on the embedded queue (so the one command
works alone); ``entrepot worker`` runs one as a process of its own.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.reaper import reap

log = logging.getLogger("entrepot.jobs")


def worker_name() -> str:
    """``host:pid``: names the process that runs a job."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """``threads`` threads running jobs from ``queue`` (or from several queues, taken in
    turn), and one reaping every ``reap_every`` seconds; ``resend(job_id)`` puts a reaped
    job back on its queue (the first queue by default), ``pending()`` counts the waiting
    messages (the first queue's by default)."""

    def __init__(
        self,
        queue: JobQueue | Sequence[JobQueue],
        uow_factory: UnitOfWorkFactory,
        *,
        threads: int = 1,
        stale_after: timedelta = timedelta(seconds=60),
        reap_every: float = 15.0,
        idle_wait: float = 0.5,
        resend: Callable[[str], None] | None = None,
        pending: Callable[[], int] | None = None,
    ) -> None:
        self._queues = (queue,) if isinstance(queue, JobQueue) else tuple(queue)
        self._queue = self._queues[0]
        self._resend = resend or self._queue.enqueue
        self._pending = pending or self._queue.pending
        self._uow = uow_factory
        self._threads = threads
        self._stale_after = stale_after
        self._reap_every = reap_every
        self._idle = idle_wait
        self._stop = threading.Event()
        self._running: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads (daemons: a job cut short by exit is retried by the reaper)."""
        self._stop.clear()
        for i in range(self._threads):
            thread = threading.Thread(target=self._work, name=f"entrepot-worker-{i}", daemon=True)
            thread.start()
            self._running.append(thread)
        reaper = threading.Thread(target=self._reap, name="entrepot-reaper", daemon=True)
        reaper.start()
        self._running.append(reaper)
        described = ", ".join(q.description for q in self._queues)
        log.info("worker started", extra={"threads": self._threads, "queue": described})

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the threads to stop after their current job; wait up to ``timeout``."""
        self._stop.set()
        for thread in self._running:
            thread.join(timeout)
        self._running.clear()

    def reap_once(self) -> None:
        """One reaper pass now."""
        reap(self._uow, self._resend, stale_after=self._stale_after, pending=self._pending)

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                if not any(queue.work_one() for queue in self._queues):
                    self._stop.wait(self._idle)
            except Exception:  # the queue is away: wait, retry; never die silently
                log.exception("worker loop error")
                self._stop.wait(2.0)

    def _reap(self) -> None:
        while not self._stop.wait(self._reap_every):
            try:
                self.reap_once()
            except Exception:
                log.exception("reaper error")
