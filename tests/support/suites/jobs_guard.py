"""The job guard, run on SQLite (tests/unit) and PostgreSQL (tests/integration): a job's
handler commits only while the job is its worker's and its owner active; a cancelled job
stops at its next progress report and is released; outside a job nothing is checked."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.jobs.guard import JobCancelled, guarded_factory, running
from entrepot.jobs.runner import JobRunner, Progress
from entrepot.messages import Message


def _user(uow: UnitOfWorkFactory) -> int:
    with uow() as u:
        user = u.users.add(
            email="owner@example.com",
            name="owner",
            password_hash="x",
            is_admin=False,
            now=datetime.now(UTC),
        )
        u.commit()
        return user.id


def _job(uow: UnitOfWorkFactory, owner: int | None, worker: str | None = "w1") -> str:
    with uow() as u:
        job = u.jobs.add(
            job_id="j" * 32, owner_id=owner, kind="k", params={}, now=datetime.now(UTC)
        )
        if worker is not None:
            u.jobs.claim(job.id, worker, datetime.now(UTC))
        u.commit()
    return job.id


def _cancel(uow: UnitOfWorkFactory, owner: int) -> None:
    with uow() as u:
        u.jobs.cancel_owned(
            owner, datetime.now(UTC), Message("error.account_deleted"), "account_deleted"
        )
        u.commit()


def _write(uow: UnitOfWorkFactory) -> None:
    with uow() as u:
        u.objects.add(key="files/x", sha256="0" * 64, size=1, kind="file", owner=None)
        u.commit()


def _objects(uow: UnitOfWorkFactory) -> int:
    with uow() as u:
        return len(u.objects.list(prefix="files/", limit=10))


class TestJobGuard:
    """Each test takes a migrated ``engine`` fixture from the collecting module."""

    @pytest.fixture
    def uow(self, engine: Engine) -> UnitOfWorkFactory:
        return guarded_factory(engine)

    def test_a_running_job_commits(self, uow: UnitOfWorkFactory) -> None:
        job = _job(uow, _user(uow))
        with running(job, "w1"):
            _write(uow)
        assert _objects(uow) == 1

    def test_a_cancelled_job_commits_nothing(self, uow: UnitOfWorkFactory) -> None:
        owner = _user(uow)
        job = _job(uow, owner)
        _cancel(uow, owner)
        with running(job, "w1"), pytest.raises(JobCancelled):
            _write(uow)
        assert _objects(uow) == 0

    def test_another_workers_job_commits_nothing(self, uow: UnitOfWorkFactory) -> None:
        job = _job(uow, None, worker="w2")
        with running(job, "w1"), pytest.raises(JobCancelled):
            _write(uow)
        assert _objects(uow) == 0

    def test_a_deactivated_owners_job_commits_nothing(self, uow: UnitOfWorkFactory) -> None:
        owner = _user(uow)
        job = _job(uow, owner)
        with uow() as u:
            u.users.update(owner, is_active=False)
            u.commit()
        with running(job, "w1"), pytest.raises(JobCancelled):
            _write(uow)
        assert _objects(uow) == 0

    def test_outside_a_job_nothing_is_checked(self, uow: UnitOfWorkFactory) -> None:
        owner = _user(uow)
        _job(uow, owner)
        _cancel(uow, owner)
        _write(uow)
        assert _objects(uow) == 1

    def test_a_cancelled_job_stops_at_its_next_report_and_is_released(
        self, uow: UnitOfWorkFactory
    ) -> None:
        owner = _user(uow)
        reached: list[str] = []

        def handler(job: JobRecord, progress: Progress) -> Mapping[str, Any]:
            canceller = threading.Thread(target=_cancel, args=(uow, owner))  # not in the job
            canceller.start()
            canceller.join()
            progress(0.5, Message("progress.scoring"))
            reached.append("after the report")
            return {}

        runner = JobRunner(uow, {"k": handler}, worker="w1", heartbeat_seconds=60)
        job = _job(uow, owner, worker=None)
        assert runner.run(job) is None
        assert reached == []
        with uow() as u:
            record = u.jobs.get(job, any_owner=True)
            assert u.jobs.count_held(owner, "account_deleted") == 0
        assert record.state is JobState.FAILED and record.error_code == "account_deleted"
        assert record.worker is None
