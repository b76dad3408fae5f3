"""Jobs: claimed once, heartbeats while running, outcome recorded, dead workers reaped."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from entrepot.catalog.jobs.records import JobRecord, JobState
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import EntrepotError
from entrepot.jobs.codes import error_code
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.reaper import reap
from entrepot.jobs.runner import JobRunner, Progress
from entrepot.jobs.service import JobService, QueueUnavailable
from entrepot.jobs.worker import Worker
from entrepot.messages import Message
from tests.support.catalog import uow_factory
from tests.support.clock import FakeClock
from tests.support.waiting import HANG_GUARD, wait_for


class TooFewRowsLike(EntrepotError):
    pass


def ok(job: JobRecord, progress: Progress) -> Mapping[str, Any]:
    progress(0.5, Message("progress.scoring"))
    return {"echo": job.params["value"]}


def refuse(job: JobRecord, progress: Progress) -> Mapping[str, Any]:
    raise TooFewRowsLike("found 12 rows; training needs at least 100")


def crash(job: JobRecord, progress: Progress) -> Mapping[str, Any]:
    raise ZeroDivisionError("secret detail")


HANDLERS = {"ok": ok, "refuse": refuse, "crash": crash}


@pytest.fixture
def uow(tmp_path: Path) -> UnitOfWorkFactory:
    return uow_factory(tmp_path)[1]


@pytest.fixture
def queue() -> JobQueue:
    return JobQueue.from_url("memory://", folder=Path("."), name="test")


@pytest.fixture
def jobs(uow: UnitOfWorkFactory, queue: JobQueue) -> JobService:
    runner = JobRunner(uow, HANDLERS, worker="w1", heartbeat_seconds=0.05)
    queue.bind(runner.run)
    return JobService(uow, queue)


def _state(uow: UnitOfWorkFactory, job_id: str) -> JobRecord:
    with uow() as u:
        return u.jobs.get(job_id, any_owner=True)


def test_a_job_runs_once_and_records_its_result(
    jobs: JobService, queue: JobQueue, uow: UnitOfWorkFactory
) -> None:
    job = jobs.submit(owner_id=None, kind="ok", params={"value": 42})
    assert job.state is JobState.QUEUED and queue.pending() == 1
    assert queue.work_one()
    done = _state(uow, job.id)
    assert done.state is JobState.SUCCEEDED and done.result == {"echo": 42}
    assert done.progress == 1.0 and done.attempts == 1 and done.worker == "w1"
    assert done.started_at is not None and done.finished_at is not None
    runner = JobRunner(uow, HANDLERS, worker="w2")
    assert runner.run(job.id) is None  # a duplicate message changes nothing
    assert _state(uow, job.id).worker == "w1"


def test_a_refused_job_keeps_the_message_and_a_code(
    jobs: JobService, queue: JobQueue, uow: UnitOfWorkFactory
) -> None:
    job = jobs.submit(owner_id=None, kind="refuse", params={})
    queue.work_one()
    failed = _state(uow, job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "found 12 rows; training needs at least 100"
    assert failed.error_code == "too_few_rows_like"


def test_a_crash_is_reported_without_its_details(
    jobs: JobService, queue: JobQueue, uow: UnitOfWorkFactory
) -> None:
    job = jobs.submit(owner_id=None, kind="crash", params={})
    queue.work_one()
    failed = _state(uow, job.id)
    assert failed.state is JobState.FAILED and failed.error_code == "internal_error"
    assert failed.error is not None
    assert "secret detail" not in failed.error and job.id in failed.error


def test_an_unknown_kind_fails_with_a_message(
    jobs: JobService, queue: JobQueue, uow: UnitOfWorkFactory
) -> None:
    job = jobs.submit(owner_id=None, kind="mystery", params={})
    queue.work_one()
    assert "no worker knows how to run 'mystery'" in (_state(uow, job.id).error or "")


def test_the_heartbeat_moves_while_the_handler_works(uow: UnitOfWorkFactory) -> None:
    seen: list[Any] = []
    release = threading.Event()

    def slow(job: JobRecord, progress: Progress) -> Mapping[str, Any]:
        release.wait(HANG_GUARD)
        return {}

    def new_beat() -> Any:
        beat = _state(uow, job.id).heartbeat_at
        return beat if beat is not None and beat not in seen else None

    runner = JobRunner(uow, {"slow": slow}, worker="w1", heartbeat_seconds=0.05)
    queue = JobQueue.from_url("memory://", folder=Path("."), name="beat")
    queue.bind(runner.run)
    job = JobService(uow, queue).submit(owner_id=None, kind="slow", params={})
    thread = threading.Thread(target=queue.work_one)
    thread.start()
    try:  # three beats waited for, not slept for: a loaded machine beats later, not less
        for _ in range(3):
            seen.append(wait_for(new_beat, "a new heartbeat", every=0.01))
    finally:
        release.set()
        thread.join()
    assert len(set(seen)) == 3 and _state(uow, job.id).state is JobState.SUCCEEDED


def test_the_reaper_retries_a_silent_job_then_fails_it(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock()
    sent: list[str] = []
    with uow() as u:
        u.jobs.add(job_id="j" * 32, owner_id=None, kind="ok", params={"value": 1}, now=clock())
        u.jobs.claim("j" * 32, "dead-worker", clock())
        u.commit()
    clock.advance(seconds=30)
    report = reap(uow, sent.append, stale_after=timedelta(seconds=60), now=clock())
    assert report.requeued == [] and _state(uow, "j" * 32).state is JobState.RUNNING
    clock.advance(seconds=31)
    report = reap(uow, sent.append, stale_after=timedelta(seconds=60), now=clock())
    assert report.requeued == ["j" * 32] and sent == ["j" * 32]
    requeued = _state(uow, "j" * 32)
    assert requeued.state is JobState.QUEUED and "went silent" in requeued.message
    with uow() as u:
        u.jobs.claim("j" * 32, "dead-again", clock())
        u.commit()
    clock.advance(seconds=61)
    report = reap(uow, sent.append, stale_after=timedelta(seconds=60), now=clock())
    failed = _state(uow, "j" * 32)
    assert report.failed == ["j" * 32] and failed.state is JobState.FAILED
    assert failed.error_code == "worker_lost" and "stopped responding" in (failed.error or "")
    assert "after 2 attempt(s)" in (failed.error or "")


def test_a_late_worker_cannot_overwrite_the_reapers_decision(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock()
    with uow() as u:
        u.jobs.add(
            job_id="k" * 32, owner_id=None, kind="ok", params={}, now=clock(), max_attempts=1
        )
        u.jobs.claim("k" * 32, "slow-worker", clock())
        u.commit()
    clock.advance(minutes=5)
    reap(uow, lambda _id: None, stale_after=timedelta(seconds=60), now=clock())
    with uow() as u:
        assert not u.jobs.succeed("k" * 32, "slow-worker", clock(), {"late": True})
        u.commit()
    assert _state(uow, "k" * 32).state is JobState.FAILED


def test_lost_messages_are_resent_only_when_the_queue_is_empty(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock()
    sent: list[str] = []
    with uow() as u:
        u.jobs.add(job_id="q" * 32, owner_id=None, kind="ok", params={}, now=clock())
        u.commit()
    clock.advance(minutes=10)
    reap(uow, sent.append, stale_after=timedelta(seconds=60), pending=lambda: 3, now=clock())
    assert sent == []
    reap(uow, sent.append, stale_after=timedelta(seconds=60), pending=lambda: 0, now=clock())
    assert sent == ["q" * 32]


def test_a_job_the_queue_cannot_take_is_failed_not_left_queued(uow: UnitOfWorkFactory) -> None:
    queue = JobQueue.from_url("redis://127.0.0.1:1/0", folder=Path("."), name="down")
    queue.bind(lambda _job_id: None)
    with pytest.raises(QueueUnavailable, match="unavailable") as caught:
        JobService(uow, queue).submit(owner_id=None, kind="ok", params={})
    assert "ENTREPOT_JOBS_URL" in str(caught.value)
    with uow() as u:
        assert u.jobs.count_by_state() == {"failed": 1}


def test_a_worker_on_the_embedded_queue_runs_submitted_jobs(
    uow: UnitOfWorkFactory, tmp_path: Path
) -> None:
    queue = JobQueue.from_url(None, folder=tmp_path / "var", name="embedded")
    assert (tmp_path / "var" / "jobs.db").exists()
    queue.bind(JobRunner(uow, HANDLERS, worker="w1").run)
    worker = Worker(queue, uow, threads=2, idle_wait=0.05)
    worker.start()
    try:
        jobs = JobService(uow, queue)
        submitted = [jobs.submit(owner_id=None, kind="ok", params={"value": i}) for i in range(4)]
        wait_for(lambda: all(_state(uow, j.id).state.final for j in submitted), "4 jobs done")
    finally:
        worker.stop()
    assert [_state(uow, j.id).result for j in submitted] == [{"echo": i} for i in range(4)]


def test_error_codes_are_snake_case_class_names() -> None:
    assert error_code(TooFewRowsLike("x")) == "too_few_rows_like"
    assert error_code(EntrepotError("x")) == "entrepot_error"
    assert error_code(ValueError()) == "value_error"


def test_submit_many_records_every_job_in_order_and_sends_each(
    jobs: JobService, queue: JobQueue
) -> None:
    submitted = jobs.submit_many(
        owner_id=None, kind="ok", params=[{"value": 1}, {"value": 2}, {"value": 3}]
    )
    assert [j.params for j in submitted] == [{"value": 1}, {"value": 2}, {"value": 3}]
    assert queue.pending() == 3
    found = jobs.many(j.id for j in submitted)
    assert {found[j.id].state for j in submitted} == {JobState.QUEUED}
