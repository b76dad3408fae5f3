"""Licences and quotas: trial, activation, expiry, limits that hold under concurrency."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from entrepot.accounts.admin import AdminService
from entrepot.accounts.errors import (
    DatasetTooLarge,
    InvalidLicenceKey,
    LicenceAlreadyUsed,
    LicenceRequired,
    QuotaExceeded,
)
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.plans import PLANS, new_key, parse_key
from entrepot.accounts.service import AccountService
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import DatabaseUnavailable
from entrepot.sizes import human_size
from tests.support.catalog import uow_factory
from tests.support.clock import FakeClock
from tests.support.web import PASSWORD


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow(tmp_path: Path) -> UnitOfWorkFactory:
    return uow_factory(tmp_path)[1]


@pytest.fixture
def licences(uow: UnitOfWorkFactory, clock: FakeClock) -> LicenceService:
    return LicenceService(uow, clock=clock)


@pytest.fixture
def accounts(uow: UnitOfWorkFactory, licences: LicenceService, clock: FakeClock) -> AccountService:
    return AccountService(uow, licences, clock=clock)


@pytest.fixture
def admin(accounts: AccountService) -> UserRecord:
    return accounts.register("root@example.com", PASSWORD, admin=True)


def test_a_new_account_has_14_trial_days(
    accounts: AccountService, licences: LicenceService
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    status = licences.status(user.id)
    assert status.active and status.plan == PLANS["trial"]
    assert status.days_left == 14 and status.models_used == 0 and status.models_left == 3
    assert status.licence is not None and status.licence.key.startswith("TRIAL-")


def test_an_expired_trial_refuses_work_and_says_when_it_ended(
    accounts: AccountService, licences: LicenceService, clock: FakeClock
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    clock.advance(days=14, seconds=1)
    status = licences.status(user.id)
    assert not status.active and status.days_left == 0
    with pytest.raises(LicenceRequired, match="trial licence ended on 2026-01-29") as caught:
        licences.require(user.id)
    assert "/licence" in str(caught.value)


def test_activating_a_key_puts_its_plan_in_force(
    accounts: AccountService, licences: LicenceService, admin: UserRecord, clock: FakeClock
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    clock.advance(days=20)
    (created,) = AdminService(licences._uow, clock=clock).create_licences(admin, "premium", days=30)
    licences.activate(user.id, "  premium-" + created.key.partition("-")[2].upper() + " ")
    status = licences.status(user.id)
    assert status.active and status.plan == PLANS["premium"] and status.days_left == 30
    assert [lic.plan for lic in licences.history(user.id)] == ["premium", "trial"]


def test_keys_activate_once(
    accounts: AccountService, licences: LicenceService, admin: UserRecord, clock: FakeClock
) -> None:
    alice = accounts.register("a@example.com", PASSWORD)
    bob = accounts.register("b@example.com", PASSWORD)
    (created,) = AdminService(licences._uow, clock=clock).create_licences(admin, "basic")
    licences.activate(alice.id, created.key)
    with pytest.raises(LicenceAlreadyUsed):
        licences.activate(bob.id, created.key)


def test_unknown_malformed_and_disabled_keys_are_refused(
    accounts: AccountService, licences: LicenceService, admin: UserRecord, clock: FakeClock
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    with pytest.raises(InvalidLicenceKey, match="not a licence key"):
        licences.activate(user.id, "PREMIUM-xyz")
    with pytest.raises(InvalidLicenceKey, match="no licence key"):
        licences.activate(user.id, new_key("premium"))
    service = AdminService(licences._uow, clock=clock)
    (created,) = service.create_licences(admin, "basic")
    service.set_licence_enabled(admin, created.id, False)
    with pytest.raises(InvalidLicenceKey):
        licences.activate(user.id, created.key)


def test_keys_have_the_documented_shape() -> None:
    key = new_key("enterprise")
    prefix, _, hexa = key.partition("-")
    assert prefix == "ENTERPRISE" and len(hexa) == 16 and int(hexa, 16) >= 0
    assert parse_key(key.lower()) == key
    assert human_size(100 * 1024 * 1024) == "100 MiB"


def test_the_dataset_size_limit_follows_the_plan(
    accounts: AccountService, licences: LicenceService
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    licences.check_dataset_size(user.id, 100 * 1024 * 1024)
    with pytest.raises(DatasetTooLarge, match="up to 100 MiB"):
        licences.check_dataset_size(user.id, 100 * 1024 * 1024 + 1)


def _reserve(
    uow: UnitOfWorkFactory, licences: LicenceService, user_id: int, name: str | None = None
) -> None:
    with uow() as u:
        licences.reserve_model(u, user_id, name)
        u.jobs.add(
            job_id=uuid.uuid4().hex,
            owner_id=user_id,
            kind="train",
            params={} if name is None else {"model_name": name},
            now=licences._clock(),
        )
        u.commit()


def test_the_model_quota_counts_trainings_in_flight(
    accounts: AccountService, licences: LicenceService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    for _ in range(3):
        _reserve(uow, licences, user.id)
    assert licences.status(user.id).models_left == 0
    with pytest.raises(QuotaExceeded, match="allows 3 models and you have 3"):
        _reserve(uow, licences, user.id)


def test_versions_of_one_model_count_once_against_the_quota(
    accounts: AccountService, licences: LicenceService, uow: UnitOfWorkFactory
) -> None:
    """A retraining (a training under a name the user holds) takes no new slot; a new
    name at a full quota is refused."""
    user = accounts.register("a@example.com", PASSWORD)
    for name in ("alpha", "beta", "gamma"):
        _reserve(uow, licences, user.id, name)
    _reserve(uow, licences, user.id, "beta")  # its next version, at the full quota
    assert licences.status(user.id).models_used == 3
    with pytest.raises(QuotaExceeded, match="allows 3 models and you have 3"):
        _reserve(uow, licences, user.id, "delta")


def test_concurrent_reservations_cannot_exceed_the_quota(
    accounts: AccountService, licences: LicenceService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    _reserve(uow, licences, user.id)
    outcomes: list[str] = []
    start = threading.Barrier(6)

    def attempt() -> None:
        start.wait()
        try:
            _reserve(uow, licences, user.id)
            outcomes.append("ok")
        except QuotaExceeded:
            outcomes.append("quota")
        except DatabaseUnavailable:
            outcomes.append("busy")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 2, outcomes
    assert outcomes.count("quota") == 4, outcomes
    assert licences.status(user.id).models_used == 3


def test_wrong_keys_are_throttled_per_account_and_a_right_one_is_not_counted(
    accounts: AccountService, licences: LicenceService, admin: UserRecord, clock: FakeClock
) -> None:
    """Issue 42: 40 wrong keys were 40 answers at once; now the 11th within 15 minutes is
    refused (429, with when to retry), for that account only, until the window passes."""
    from entrepot.accounts.errors import TooManyAttempts

    guesser = accounts.register("g@example.com", PASSWORD)
    bystander = accounts.register("b@example.com", PASSWORD)
    created = AdminService(licences._uow, clock=clock).create_licences(admin, "basic", count=3)
    licences.activate(guesser.id, created[0].key)  # a right key takes no place
    for _ in range(10):
        with pytest.raises(InvalidLicenceKey):
            licences.activate(guesser.id, new_key("premium"))
    with pytest.raises(TooManyAttempts) as locked:
        licences.activate(guesser.id, created[1].key)  # locked: even a right key waits
    assert locked.value.retry_after is not None and 0 < locked.value.retry_after <= 15 * 60
    licences.activate(bystander.id, created[1].key)  # another account is not locked
    clock.advance(minutes=16)
    licences.activate(guesser.id, created[2].key)
    assert licences.status(guesser.id).plan == PLANS["basic"]
