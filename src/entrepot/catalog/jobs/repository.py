"""Background jobs: submitted, claimed by one worker, kept alive by heartbeats, finished.

Every state change is a conditional ``UPDATE`` (``... WHERE state = 'queued'``), so two
workers handed the same job cannot both run it, and a late worker cannot overwrite the
outcome the reaper recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import Page
from entrepot.catalog.accounts.tables import UserRow
from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.jobs.tables import JobRow
from entrepot.catalog.models.rows import utc
from entrepot.catalog.paging import check_page
from entrepot.errors import RecordNotFound
from entrepot.i18n.messages import english
from entrepot.messages import N_, Message, message_of

_MESSAGE = 500


def _record(row: JobRow) -> JobRecord:
    return JobRecord(
        id=row.id,
        owner_id=row.owner_id,
        kind=row.kind,
        params=dict(row.params or {}),
        state=JobState(row.state),
        progress=float(row.progress),
        message=row.message,
        error=row.error,
        error_code=row.error_code,
        result=dict(row.result or {}),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        created_at=utc(row.created_at),
        started_at=None if row.started_at is None else utc(row.started_at),
        finished_at=None if row.finished_at is None else utc(row.finished_at),
        heartbeat_at=None if row.heartbeat_at is None else utc(row.heartbeat_at),
        worker=row.worker,
        message_data=message_of(row.message_data),
        error_data=message_of(row.error_data),
    )


def _said(message: Message) -> dict[str, Any]:
    """The columns of a progress message: its English text and its data."""
    return {"message": english(message)[:_MESSAGE], "message_data": message.to_json()}


def _failed(error: Message) -> dict[str, Any]:
    """The columns of a failure: its English text and its data."""
    return {"error": english(error), "error_data": error.to_json()}


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


class JobRepository:
    """Reads and writes ``jobs`` rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        job_id: str,
        owner_id: int | None,
        kind: str,
        params: Mapping[str, Any],
        now: datetime,
        max_attempts: int = 2,
    ) -> JobRecord:
        """Record a queued job."""
        row = JobRow(
            id=job_id,
            owner_id=owner_id,
            kind=kind,
            params=dict(params),
            state=JobState.QUEUED.value,
            progress=0.0,
            message="",
            result={},
            attempts=0,
            max_attempts=max_attempts,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return _record(row)

    def get(
        self, job_id: str, *, owner_id: int | None = None, any_owner: bool = False
    ) -> JobRecord:
        """Job ``job_id`` of ``owner_id`` (``any_owner``: whoever's); another owner's job is
        not found, exactly like a job that does not exist."""
        row = self._session.get(JobRow, job_id)
        if row is None or (not any_owner and row.owner_id != owner_id):
            raise RecordNotFound(
                f"no job {job_id}",
                hint="list your jobs in the history",
                said=Message(N_("error.catalog.no_job_listed"), {"job": job_id}),
            )
        return _record(row)

    def many(self, job_ids: Iterable[str]) -> dict[str, JobRecord]:
        """The jobs among ``job_ids`` that exist, whoever's, in one query per 500 ids."""
        wanted = list(dict.fromkeys(job_ids))
        found: dict[str, JobRecord] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in self._session.scalars(select(JobRow).where(JobRow.id.in_(chunk))):
                found[row.id] = _record(row)
        return found

    def list(
        self,
        owner_id: int,
        *,
        kinds: Iterable[str] | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> Page[JobRecord]:
        """``owner_id``'s jobs, newest first."""
        check_page(page, per_page)
        conditions: list[ColumnElement[bool]] = [JobRow.owner_id == owner_id]
        if kinds is not None:
            conditions.append(JobRow.kind.in_(list(kinds)))
        total = self._session.scalar(select(func.count()).select_from(JobRow).where(*conditions))
        rows = self._session.scalars(
            select(JobRow)
            .where(*conditions)
            .order_by(JobRow.created_at.desc(), JobRow.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page(tuple(_record(r) for r in rows), int(total or 0), page, per_page)

    def count_unfinished(self, owner_id: int | None, kind: str) -> int:
        """How many ``kind`` jobs of ``owner_id`` are queued or running."""
        owner = JobRow.owner_id.is_(None) if owner_id is None else JobRow.owner_id == owner_id
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(
                    owner,
                    JobRow.kind == kind,
                    JobRow.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
                )
            )
            or 0
        )

    def unfinished_params(self, owner_id: int, kind: str) -> tuple[dict[str, Any], ...]:
        """The parameters of ``owner_id``'s queued or running ``kind`` jobs, oldest first."""
        rows = self._session.scalars(
            select(JobRow.params)
            .where(
                JobRow.owner_id == owner_id,
                JobRow.kind == kind,
                JobRow.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
            )
            .order_by(JobRow.created_at, JobRow.id)
        )
        return tuple(dict(params or {}) for params in rows)

    def newest_unfinished(self, owner_id: int | None, kind: str) -> JobRecord | None:
        """The newest queued or running ``kind`` job of ``owner_id``, if any."""
        owner = JobRow.owner_id.is_(None) if owner_id is None else JobRow.owner_id == owner_id
        row = self._session.scalars(
            select(JobRow)
            .where(
                owner,
                JobRow.kind == kind,
                JobRow.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
            )
            .order_by(JobRow.created_at.desc(), JobRow.id)
            .limit(1)
        ).first()
        return None if row is None else _record(row)

    def count_by_state(self) -> dict[str, int]:
        """How many jobs are in each state."""
        rows = self._session.execute(select(JobRow.state, func.count()).group_by(JobRow.state))
        return {str(state): int(count) for state, count in rows}

    def claim(self, job_id: str, worker: str, now: datetime) -> JobRecord | None:
        """Mark the queued job running for ``worker``; ``None`` if it is not queued (another
        worker has it, or it is finished)."""
        result = self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state == JobState.QUEUED.value)
            .values(
                state=JobState.RUNNING.value,
                worker=worker[:128],
                started_at=now,
                heartbeat_at=now,
                attempts=JobRow.attempts + 1,
                error=None,
                error_code=None,
                error_data=None,
            )
        )
        return _record(self._row(job_id)) if _rowcount(result) == 1 else None

    def beat(
        self,
        job_id: str,
        worker: str,
        now: datetime,
        *,
        progress: float | None = None,
        message: Message | None = None,
    ) -> bool:
        """Record that ``worker`` still runs the job (with its progress); ``False`` if the job
        is no longer its own (the reaper took it back)."""
        values: dict[str, Any] = {"heartbeat_at": now}
        if progress is not None:
            values["progress"] = min(max(float(progress), 0.0), 1.0)
        if message is not None:
            values |= _said(message)
        return self._owned_update(job_id, worker, values)

    def succeed(self, job_id: str, worker: str, now: datetime, result: Mapping[str, Any]) -> bool:
        """Record the job's result; ``False`` if it was no longer ``worker``'s."""
        values = {
            "state": JobState.SUCCEEDED.value,
            "progress": 1.0,
            "finished_at": now,
            "heartbeat_at": now,
            "result": dict(result),
        }
        return self._owned_update(job_id, worker, values)

    def fail(
        self, job_id: str, worker: str, now: datetime, error: str | Message, code: str
    ) -> bool:
        """Record the job's failure (a message, or an error's own English text, shown by its
        code); ``False`` if it was no longer ``worker``'s."""
        values = {
            "state": JobState.FAILED.value,
            "finished_at": now,
            "heartbeat_at": now,
            "error_code": code[:64],
            **(_failed(error) if isinstance(error, Message) else {"error": error}),
        }
        return self._owned_update(job_id, worker, values)

    def stale(self, before: datetime) -> tuple[JobRecord, ...]:
        """Running jobs whose last heartbeat is older than ``before``."""
        rows = self._session.scalars(
            select(JobRow).where(
                JobRow.state == JobState.RUNNING.value, JobRow.heartbeat_at < before
            )
        )
        return tuple(_record(r) for r in rows)

    def waiting(self, before: datetime) -> tuple[JobRecord, ...]:
        """Queued jobs created before ``before`` (their queue message may be lost)."""
        rows = self._session.scalars(
            select(JobRow).where(JobRow.state == JobState.QUEUED.value, JobRow.created_at < before)
        )
        return tuple(_record(r) for r in rows)

    def requeue_stale(self, job_id: str, before: datetime, message: Message) -> bool:
        """Put the running job back in the queue if its last heartbeat is still older than
        ``before``; ``False`` if it beat or finished meanwhile."""
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.state == JobState.RUNNING.value,
                JobRow.heartbeat_at < before,
            )
            .values(state=JobState.QUEUED.value, worker=None, **_said(message))
        )
        return _rowcount(result) == 1

    def fail_stale(self, job_id: str, before: datetime, now: datetime, error: Message) -> bool:
        """Mark the running job failed if its last heartbeat is still older than ``before``;
        ``False`` if it beat or finished meanwhile."""
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.state == JobState.RUNNING.value,
                JobRow.heartbeat_at < before,
            )
            .values(
                state=JobState.FAILED.value,
                finished_at=now,
                error_code="worker_lost",
                **_failed(error),
            )
        )
        return _rowcount(result) == 1

    def holds(self, job_id: str, worker: str) -> bool:
        """Whether ``worker`` still runs the job and its owner (if any) is an active account.

        The job's row stays locked, and its owner's row share-locked, until the caller's
        transaction ends: a cancellation or a deactivation cannot land between this check
        and the caller's commit."""
        owner = self._session.execute(
            select(JobRow.owner_id)
            .where(
                JobRow.id == job_id,
                JobRow.state == JobState.RUNNING.value,
                JobRow.worker == worker[:128],
            )
            .with_for_update()
        ).first()
        if owner is None:
            return False
        if owner.owner_id is None:
            return True
        active = self._session.scalar(
            select(UserRow.is_active).where(UserRow.id == owner.owner_id).with_for_update(read=True)
        )
        return bool(active)

    def cancel_owned(self, owner_id: int, now: datetime, error: Message, code: str) -> int:
        """Mark every queued or running job of ``owner_id`` failed with ``code``; a running
        job keeps its worker until that worker releases it. Returns how many."""
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.owner_id == owner_id,
                JobRow.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
            )
            .values(
                state=JobState.FAILED.value,
                finished_at=now,
                error_code=code[:64],
                **_failed(error),
            )
        )
        return _rowcount(result)

    def release(self, job_id: str, worker: str) -> bool:
        """Record that ``worker`` stopped working on a job that was finished for it
        (cancelled); ``False`` if the job is running or not its own."""
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.state != JobState.RUNNING.value,
                JobRow.worker == worker[:128],
            )
            .values(worker=None)
        )
        return _rowcount(result) == 1

    def count_held(self, owner_id: int, code: str) -> int:
        """Jobs of ``owner_id`` cancelled with ``code`` whose worker has not stopped yet."""
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(
                    JobRow.owner_id == owner_id,
                    JobRow.state == JobState.FAILED.value,
                    JobRow.error_code == code[:64],
                    JobRow.worker.is_not(None),
                )
            )
            or 0
        )

    def _owned_update(self, job_id: str, worker: str, values: Mapping[str, Any]) -> bool:
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.state == JobState.RUNNING.value,
                JobRow.worker == worker[:128],
            )
            .values(**values)
        )
        return _rowcount(result) == 1

    def _row(self, job_id: str) -> JobRow:
        row = self._session.get(JobRow, job_id)
        if row is None:
            raise RecordNotFound(
                f"no job {job_id}", said=Message(N_("error.catalog.no_job"), {"job": job_id})
            )
        self._session.refresh(row)
        return row
