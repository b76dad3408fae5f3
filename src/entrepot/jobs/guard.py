"""A job commits only while it is still its worker's: every commit made by a handler
re-checks, in the same transaction and under a lock on the job's row, that the job is
running on this worker.

So once a job is cancelled (its owner's account being deleted) or taken back by the
reaper, nothing its handler still tries to record lands: the commit raises
:class:`JobCancelled` and rolls back, and the handler unwinds (objects it wrote are
removed by the write protocol's own clean-up, or by the account's purge, or by
``entrepot gc``). Outside a job (web requests, the command line) the check is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory, session_factory
from entrepot.errors import EntrepotError
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from sqlalchemy import Engine

_running: ContextVar[tuple[str, str] | None] = ContextVar("entrepot_running_job", default=None)


class JobCancelled(EntrepotError):
    """The job is no longer this worker's (cancelled, or taken back): nothing of it may be
    recorded any more."""


@contextmanager
def running(job_id: str, worker: str) -> Iterator[None]:
    """Guard every commit made in this thread (and context) by ``job_id`` on ``worker``."""
    token = _running.set((job_id, worker))
    try:
        yield
    finally:
        _running.reset(token)


class GuardedUnitOfWork(UnitOfWork):
    """The unit of work, whose commit inside a running job first checks the job is still
    this worker's (see the module docstring)."""

    def commit(self) -> None:
        job = _running.get()
        if job is not None and not self.jobs.holds(*job):
            self.rollback()
            raise JobCancelled(
                f"job {job[0]} was cancelled or taken back while it ran; nothing more of it "
                "is recorded",
                said=Message(N_("error.jobs.cancelled"), {"job": job[0]}),
            )
        super().commit()


def guarded_factory(engine: Engine) -> UnitOfWorkFactory:
    """A factory of :class:`GuardedUnitOfWork` on ``engine``."""
    sessions = session_factory(engine)
    return lambda: GuardedUnitOfWork(sessions)
