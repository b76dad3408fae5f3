"""The audit log records sign-ups and sign-ins, done or failed, with the client's address;
a failed one says why, never the password tried."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.accounts.errors import AccountInactive, InvalidCredentials
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.service import AccountService
from entrepot.catalog.uow import UnitOfWorkFactory
from tests.support.catalog import uow_factory
from tests.support.web import PASSWORD


@pytest.fixture
def uow(tmp_path: Path) -> UnitOfWorkFactory:
    return uow_factory(tmp_path)[1]


@pytest.fixture
def accounts(uow: UnitOfWorkFactory) -> AccountService:
    return AccountService(uow, LicenceService(uow))


def _log(uow: UnitOfWorkFactory) -> list[tuple[str, str, dict[str, object]]]:
    with uow() as u:
        entries = u.audit.list(per_page=100).items
    return [(e.action, e.actor, dict(e.details)) for e in reversed(entries)]


def test_sign_ups_and_sign_ins_are_logged(accounts: AccountService, uow: UnitOfWorkFactory) -> None:
    user = accounts.register("ana@example.com", PASSWORD, address="203.0.113.7")
    accounts.authenticate("ana@example.com", PASSWORD, address="203.0.113.7")
    with pytest.raises(InvalidCredentials):
        accounts.authenticate("ana@example.com", "not the password at all", address="198.51.100.2")
    with pytest.raises(InvalidCredentials):
        accounts.authenticate("nobody@example.com", PASSWORD, address="198.51.100.2")
    here, there = {"address": "203.0.113.7"}, {"address": "198.51.100.2"}
    assert _log(uow) == [
        ("sign-up", "ana@example.com", here),
        ("sign-in", "ana@example.com", here),
        ("sign-in-failed", "ana@example.com", {**there, "reason": "wrong password"}),
        ("sign-in-failed", "nobody@example.com", {**there, "reason": "unknown account"}),
    ]
    assert all("not the password" not in str(entry) for entry in _log(uow))
    with uow() as u:
        u.users.update(user.id, is_active=False)
        u.commit()
    with pytest.raises(AccountInactive):
        accounts.authenticate("ana@example.com", PASSWORD)
    assert _log(uow)[-1] == ("sign-in-failed", "ana@example.com", {"reason": "deactivated"})
