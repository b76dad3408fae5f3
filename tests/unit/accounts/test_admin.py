"""Administration: only admins, never on oneself, every change in the audit log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from entrepot.accounts.admin import AdminService
from entrepot.accounts.errors import InvalidAccountInput, NotAllowed
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.service import AccountService
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory
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
def accounts(uow: UnitOfWorkFactory, clock: FakeClock) -> AccountService:
    return AccountService(uow, LicenceService(uow, clock=clock), clock=clock)


@pytest.fixture
def service(uow: UnitOfWorkFactory, clock: FakeClock) -> AdminService:
    return AdminService(uow, clock=clock)


@pytest.fixture
def root(accounts: AccountService) -> UserRecord:
    return accounts.register("root@example.com", PASSWORD, admin=True)


def test_only_admins_administer(accounts: AccountService, service: AdminService) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    with pytest.raises(NotAllowed, match="administrator"):
        service.users(user)
    with pytest.raises(NotAllowed):
        service.create_licences(user, "premium")


def test_users_are_searched_filtered_and_paginated(
    accounts: AccountService, service: AdminService, root: UserRecord
) -> None:
    for i in range(12):
        accounts.register(f"user{i:02d}@example.com", PASSWORD, name=f"User {i}")
    accounts.register("someone_else@corp.test", PASSWORD, name="Zoé 100%")
    page = service.users(root, per_page=5, page=2)
    assert (page.total, page.pages, len(page.items)) == (14, 3, 5)
    assert all(row.licence is not None for row in page.items)
    assert [r.user.email for r in service.users(root, query="USER1").items] == [
        "user11@example.com",
        "user10@example.com",
    ]
    assert service.users(root, query="_").total == 1
    assert service.users(root, query="100%").items[0].user.email == "someone_else@corp.test"
    assert [r.user.email for r in service.users(root, admin=True).items] == ["root@example.com"]


def test_deactivating_signs_the_user_out_and_is_audited(
    accounts: AccountService, service: AdminService, root: UserRecord
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    session = accounts.open_session(user.id, timedelta(days=1))
    service.set_active(root, user.id, False)
    assert accounts.session_user(user.id, user.session_epoch, session) is None
    reactivated = service.set_active(root, user.id, True)
    assert accounts.session_user(user.id, user.session_epoch, session) is None
    fresh = accounts.open_session(user.id, timedelta(days=1))
    assert accounts.session_user(user.id, reactivated.session_epoch, fresh) is not None
    granted = service.set_admin(root, user.id, True)
    assert granted.is_admin
    log = service.audit(root).items
    assert [entry.action for entry in log] == [
        "user.grant_admin",
        "user.activate",
        "user.deactivate",
        "sign-up",  # the user's
        "sign-up",  # root's
    ]
    assert log[0].actor == "root@example.com" and "a@example.com" in log[0].target


def test_admins_cannot_act_on_themselves(service: AdminService, root: UserRecord) -> None:
    for action in (
        lambda: service.set_active(root, root.id, False),
        lambda: service.set_admin(root, root.id, False),
        lambda: service.check_deletable(root, root.id),
    ):
        with pytest.raises(NotAllowed, match="you cannot"):
            action()


def test_deleting_a_user_removes_their_rows_and_keeps_the_audit(
    accounts: AccountService, service: AdminService, root: UserRecord, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    accounts.create_token(user.id)
    service.delete_user(root, user.id, {"objects": 0})
    with uow() as u:
        assert u.users.find(user.id) is None
        assert u.tokens.list(user.id) == ()
        assert u.licences.of_user(user.id) == ()
    entry, *sign_ups = service.audit(root).items
    assert entry.action == "user.delete" and entry.details == {"objects": 0}
    assert [e.action for e in sign_ups] == ["sign-up", "sign-up"]  # kept after the deletion


def test_licences_are_created_extended_and_toggled(
    service: AdminService, root: UserRecord, clock: FakeClock
) -> None:
    made = service.create_licences(root, "basic", days=10, count=3)
    assert len({lic.key for lic in made}) == 3 and all(lic.key.startswith("BASIC-") for lic in made)
    extended = service.extend_licence(root, made[0].id, 5)
    assert extended.duration_days == 15 and extended.expires_at is None
    assert not service.set_licence_enabled(root, made[1].id, False).enabled
    assert service.licences(root, used=False).total == 3
    assert service.licences(root, query=made[2].key[-6:].upper()).items == (made[2],)
    actions = [e.action for e in service.audit(root).items]
    assert actions.count("licence.create") == 3
    assert "licence.extend" in actions and "licence.disable" in actions
    with pytest.raises(InvalidAccountInput, match="no plan"):
        service.create_licences(root, "gold")
    with pytest.raises(InvalidAccountInput, match="between 1 and"):
        service.extend_licence(root, made[0].id, 0)


def test_extending_an_active_licence_moves_its_end(
    accounts: AccountService,
    service: AdminService,
    root: UserRecord,
    uow: UnitOfWorkFactory,
    clock: FakeClock,
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    with uow() as u:
        trial = u.licences.current(user.id)
    assert trial is not None and trial.expires_at is not None
    extended = service.extend_licence(root, trial.id, 7)
    assert extended.expires_at == trial.expires_at + timedelta(days=7)


def test_statistics_count_what_exists(
    accounts: AccountService, service: AdminService, root: UserRecord
) -> None:
    accounts.register("a@example.com", PASSWORD)
    stats = service.stats(root, days=7)
    assert stats["users"] == 2 and stats["admins"] == 1
    assert len(stats["signups"]) == 7 and stats["signups"][-1] == ("2026-01-15", 2)
    assert stats["licences"]["trial"] == 2 and stats["licences"]["premium"] == 0
