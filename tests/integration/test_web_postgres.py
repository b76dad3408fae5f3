"""The web service's catalog on PostgreSQL: accounts, quotas under concurrency, job claims."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import Engine

from entrepot.accounts.errors import EmailTaken, QuotaExceeded
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.service import AccountService
from entrepot.catalog.uow import UnitOfWorkFactory, unit_of_work_factory
from tests.support.accounts import parallel_wrong_guesses
from tests.support.clock import FakeClock
from tests.support.web import PASSWORD

pytestmark = pytest.mark.postgres


@pytest.fixture
def uow(engine: Engine) -> UnitOfWorkFactory:
    return unit_of_work_factory(engine)


def test_accounts_on_postgres(uow: UnitOfWorkFactory) -> None:
    accounts = AccountService(uow, LicenceService(uow))
    user = accounts.register("pg@example.com", PASSWORD)
    with pytest.raises(EmailTaken):
        accounts.register("PG@example.com", PASSWORD)
    assert accounts.authenticate("pg@example.com", PASSWORD).id == user.id
    _, token = accounts.create_token(user.id)
    assert accounts.token_user(token) is not None
    with uow() as u:
        found = u.users.search(query="PG@", page=1, per_page=10)
    assert found.total == 1


def test_concurrent_reservations_cannot_exceed_the_quota_on_postgres(
    uow: UnitOfWorkFactory,
) -> None:
    clock = FakeClock()
    licences = LicenceService(uow, clock=clock)
    user = AccountService(uow, licences, clock=clock).register("pg@example.com", PASSWORD)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def attempt() -> None:
        start.wait()
        try:
            with uow() as u:
                licences.reserve_model(u, user.id)
                u.jobs.add(
                    job_id=uuid.uuid4().hex, owner_id=user.id, kind="train", params={}, now=clock()
                )
                u.commit()
            outcomes.append("ok")
        except QuotaExceeded:
            outcomes.append("quota")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["quota"] * 5
    assert licences.status(user.id).models_used == 3


def test_only_one_worker_claims_a_job_on_postgres(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock()
    with uow() as u:
        u.jobs.add(job_id="j" * 32, owner_id=None, kind="x", params={}, now=clock())
        u.commit()
    claimed: list[str] = []
    start = threading.Barrier(6)

    def claim(name: str) -> None:
        start.wait()
        with uow() as u:
            if u.jobs.claim("j" * 32, name, clock()) is not None:
                claimed.append(name)
            u.commit()

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 1


def test_parallel_wrong_passwords_count_at_most_the_limit_on_postgres(
    uow: UnitOfWorkFactory,
) -> None:
    clock = FakeClock()
    accounts = AccountService(uow, LicenceService(uow, clock=clock), clock=clock)
    accounts.register("a@example.com", PASSWORD)

    outcomes = parallel_wrong_guesses(accounts, "a@example.com")
    assert outcomes.count("wrong") == 5 and outcomes.count("limited") == 25


def test_sessions_and_expiring_tokens_on_postgres(uow: UnitOfWorkFactory) -> None:
    from datetime import timedelta

    clock = FakeClock()
    accounts = AccountService(uow, LicenceService(uow, clock=clock), clock=clock)
    user = accounts.register("a@example.com", PASSWORD, address="10.0.0.1")
    session = accounts.open_session(user.id, timedelta(days=1))
    assert accounts.session_user(user.id, user.session_epoch, session) == user
    accounts.end_session(session)
    assert accounts.session_user(user.id, user.session_epoch, session) is None
    _, token = accounts.create_token(user.id, "short", expires_in=timedelta(hours=1))
    assert accounts.token_user(token) is not None
    clock.advance(hours=2)
    assert accounts.token_user(token) is None
