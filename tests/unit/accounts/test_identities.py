"""Look-alike emails are one identity (issue 28): full-width letters, zero-width space,
Cyrillic ``а``, right-to-left override, trailing dot, dotted ``İ`` and a quoted local part
each made a distinct account."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.accounts.errors import EmailTaken, InvalidAccountInput
from entrepot.accounts.identities import normalize_email, skeleton
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.service import AccountService
from tests.support.catalog import uow_factory
from tests.support.clock import FakeClock
from tests.support.web import PASSWORD


@pytest.fixture
def accounts(tmp_path: Path) -> AccountService:
    clock = FakeClock()
    uow = uow_factory(tmp_path)[1]
    return AccountService(uow, LicenceService(uow, clock=clock), clock=clock)


def test_full_width_letters_are_the_same_address() -> None:
    assert normalize_email("ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ") == "alice@example.com"


@pytest.mark.parametrize(
    ("email", "says"),
    [
        ("ali\u200bce@example.com", "invisible"),
        ("alice@exa\u202emple.com", "text-direction"),
        ("\ufeffalice@example.com", r"U\+FEFF"),
        ("alice@example.com.", "trailing dot"),
        ('"alice"@example.com', "quoted"),
    ],
    ids=["zero-width", "rtl-override", "bom", "trailing-dot", "quoted"],
)
def test_hidden_characters_and_odd_spellings_are_refused(email: str, says: str) -> None:
    with pytest.raises(InvalidAccountInput, match=says):
        normalize_email(email)


@pytest.mark.parametrize(
    "look_alike",
    ["аlice@example.com", "alice@ехample.com", "alİce@example.com", "alıce@example.com"],
    ids=["cyrillic-a", "cyrillic-domain", "dotted-I", "dotless-i"],
)
def test_a_look_alike_of_an_existing_account_is_refused(
    accounts: AccountService, look_alike: str
) -> None:
    accounts.register("alice@example.com", PASSWORD)
    assert skeleton(normalize_email(look_alike)) == skeleton("alice@example.com")
    with pytest.raises(EmailTaken, match="looks like"):
        accounts.register(look_alike, PASSWORD)
    assert accounts.count() == 1


def test_the_same_address_spelled_otherwise_is_taken(accounts: AccountService) -> None:
    accounts.register("alice@example.com", PASSWORD)
    for spelling in ("ＡＬＩＣＥ@example.com", " Alice@EXAMPLE.com "):
        with pytest.raises(EmailTaken):
            accounts.register(spelling, PASSWORD)
    assert accounts.register("bob@example.com", PASSWORD).id
