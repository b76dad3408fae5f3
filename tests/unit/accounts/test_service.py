"""Accounts: sign-up, sign-in with rate limiting, passwords, sessions' epochs, API tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from entrepot.accounts.errors import (
    AccountInactive,
    EmailTaken,
    InvalidAccountInput,
    InvalidCredentials,
    TooManyAttempts,
)
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.passwords import Passwords
from entrepot.accounts.ratelimit import retry_after
from entrepot.accounts.service import AccountService, normalize_email
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import RecordNotFound
from tests.support.accounts import parallel_wrong_guesses
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


def test_register_creates_an_active_account_with_a_trial(
    accounts: AccountService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("  Alice@Example.COM ", PASSWORD, name="Alice")
    assert (user.email, user.name, user.is_admin, user.is_active) == (
        "alice@example.com",
        "Alice",
        False,
        True,
    )
    with uow() as u:
        licence = u.licences.current(user.id)
    assert licence is not None and licence.plan == "trial" and licence.duration_days == 14


def test_the_password_is_stored_as_an_argon2id_hash(
    accounts: AccountService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    with uow() as u:
        stored = u.users.password_hash(user.id)
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored


def test_an_email_registers_once(accounts: AccountService) -> None:
    accounts.register("a@example.com", PASSWORD)
    with pytest.raises(EmailTaken, match=r"a@example\.com"):
        accounts.register("A@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", PASSWORD, "not an email"),
        ("a@example.com", "short", "at least 10"),
        ("a@example.com", "a@example.com", "may not be the email"),
    ],
)
def test_bad_sign_up_input_is_refused_with_the_reason(
    accounts: AccountService, email: str, password: str, message: str
) -> None:
    with pytest.raises(InvalidAccountInput, match=message):
        accounts.register(email, password)


def test_sign_in_checks_the_password(accounts: AccountService) -> None:
    accounts.register("a@example.com", PASSWORD)
    assert accounts.authenticate("A@example.com", PASSWORD).last_login_at is not None
    with pytest.raises(InvalidCredentials, match="wrong email or password"):
        accounts.authenticate("a@example.com", PASSWORD + "!")
    with pytest.raises(InvalidCredentials, match="wrong email or password"):
        accounts.authenticate("nobody@example.com", PASSWORD)


def test_failed_sign_ins_are_limited_per_email_and_address_until_the_window_passes(
    accounts: AccountService, clock: FakeClock
) -> None:
    accounts.register("a@example.com", PASSWORD)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            accounts.authenticate("a@example.com", "wrong password!", address="10.0.0.1")
    with pytest.raises(TooManyAttempts) as caught:
        accounts.authenticate("a@example.com", PASSWORD, address="10.0.0.1")
    assert 0 < caught.value.retry_after <= 15 * 60
    assert "wait" in str(caught.value) and "this email from this address" in str(caught.value)
    clock.advance(minutes=16)
    assert accounts.authenticate("a@example.com", PASSWORD, address="10.0.0.1").id


def test_a_guesser_does_not_lock_the_owner_out_from_another_address(
    accounts: AccountService,
) -> None:
    accounts.register("a@example.com", PASSWORD)
    for _ in range(8):
        with pytest.raises((InvalidCredentials, TooManyAttempts)):
            accounts.authenticate("a@example.com", "wrong password!", address="10.0.0.1")
    assert accounts.authenticate("a@example.com", PASSWORD, address="10.0.0.2").id


def test_eight_addresses_guessing_never_lock_the_owner_out_from_a_ninth(
    accounts: AccountService, clock: FakeClock
) -> None:
    """The attack of issue 28: five wrong guesses from each of 8 addresses locked the
    account for 15 minutes for its owner at a fresh address."""
    accounts.register("a@example.com", PASSWORD)
    wrong = 0
    for n in range(8):
        for _ in range(5):
            try:
                accounts.authenticate("a@example.com", "wrong password!", address=f"10.0.1.{n}")
            except InvalidCredentials:
                wrong += 1
            except TooManyAttempts:
                break
        with pytest.raises(TooManyAttempts, match="this email from this address"):
            accounts.authenticate("a@example.com", PASSWORD, address=f"10.0.1.{n}")
    assert wrong == 6 * 5 + 2  # past 30 failures, one guess per address
    assert accounts.authenticate("a@example.com", PASSWORD, address="10.0.2.9").id


def test_under_attack_a_wrong_guess_locks_its_address_at_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Past the account-wide count, the account refuses no one, but every wrong password
    costs its address the next attempts: one guess per address."""
    from entrepot.accounts.ratelimit import LoginLimiter

    uow = uow_factory(tmp_path)[1]
    limiter = LoginLimiter(per_pair=5, per_email=8)
    accounts = AccountService(uow, LicenceService(uow, clock=clock), limiter=limiter, clock=clock)
    accounts.register("a@example.com", PASSWORD)
    for n in range(8):
        with pytest.raises(InvalidCredentials):
            accounts.authenticate("a@example.com", "wrong password!", address=f"10.0.1.{n}")
    with pytest.raises(InvalidCredentials):  # a fresh address still gets its one guess...
        accounts.authenticate("a@example.com", "wrong password!", address="10.0.2.1")
    with pytest.raises(TooManyAttempts, match="this email from this address"):
        accounts.authenticate("a@example.com", "wrong password!", address="10.0.2.1")
    assert accounts.authenticate("a@example.com", PASSWORD, address="10.0.2.2").id
    clock.advance(minutes=16)
    assert accounts.authenticate("a@example.com", PASSWORD, address="10.0.2.1").id


def test_locks_back_off_exponentially(accounts: AccountService, clock: FakeClock) -> None:
    accounts.register("a@example.com", PASSWORD)
    waits = []
    for _ in range(3):
        for _ in range(5):
            with pytest.raises(InvalidCredentials):
                accounts.authenticate("a@example.com", "wrong password!", address="10.0.0.1")
        with pytest.raises(TooManyAttempts) as caught:
            accounts.authenticate("a@example.com", "wrong password!", address="10.0.0.1")
        waits.append(caught.value.retry_after)
        clock.advance(seconds=caught.value.retry_after)
    assert waits == [15 * 60, 30 * 60, 60 * 60]
    assert accounts.authenticate("a@example.com", PASSWORD, address="10.0.0.1").id
    for _ in range(5):  # a right password forgets the address's strikes
        with pytest.raises(InvalidCredentials):
            accounts.authenticate("a@example.com", "wrong password!", address="10.0.0.1")
    with pytest.raises(TooManyAttempts) as caught:
        accounts.authenticate("a@example.com", PASSWORD, address="10.0.0.1")
    assert caught.value.retry_after == 15 * 60


def test_back_off_is_capped(clock: FakeClock) -> None:
    from entrepot.accounts.ratelimit import backed_off

    window = timedelta(minutes=15)
    assert [backed_off(window, s) for s in (0, 1, 2, 3)] == [window, window, 2 * window, 4 * window]
    assert backed_off(window, 50) == timedelta(hours=16)


def test_parallel_wrong_passwords_count_at_most_the_limit(accounts: AccountService) -> None:
    accounts.register("a@example.com", PASSWORD)

    outcomes = parallel_wrong_guesses(accounts, "a@example.com")
    assert outcomes.count("wrong") <= 5 and outcomes.count("limited") >= 25
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("a@example.com", PASSWORD, address="10.0.0.1")


def test_sign_ups_are_limited_per_address(accounts: AccountService) -> None:
    for n in range(10):
        accounts.register(f"u{n}@example.com", PASSWORD, address="10.0.0.1")
    with pytest.raises(TooManyAttempts, match="sign-ups from this address"):
        accounts.register("u10@example.com", PASSWORD, address="10.0.0.1")
    assert accounts.register("u10@example.com", PASSWORD, address="10.0.0.2").id


def test_a_successful_sign_in_resets_the_email_counter(accounts: AccountService) -> None:
    accounts.register("a@example.com", PASSWORD)
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            accounts.authenticate("a@example.com", "wrong password!")
    accounts.authenticate("a@example.com", PASSWORD)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            accounts.authenticate("a@example.com", "wrong password!")
    accounts.authenticate("a@example.com", PASSWORD)


def test_retry_after_counts_from_the_oldest_failure(clock: FakeClock) -> None:
    window = timedelta(minutes=15)
    assert retry_after(4, clock(), clock(), limit=5, window=window) is None
    assert retry_after(5, clock(), clock(), limit=5, window=window) == 900
    assert retry_after(5, clock() - window, clock(), limit=5, window=window) is None


def test_an_inactive_account_cannot_sign_in(
    accounts: AccountService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    with uow() as u:
        u.users.update(user.id, is_active=False)
        u.commit()
    with pytest.raises(AccountInactive, match="deactivated"):
        accounts.authenticate("a@example.com", PASSWORD)


def test_changing_the_password_ends_the_other_sessions(accounts: AccountService) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    session = accounts.open_session(user.id, timedelta(days=1))
    assert accounts.session_user(user.id, user.session_epoch, session) == user
    with pytest.raises(InvalidCredentials, match="current password"):
        accounts.change_password(user.id, "not the password", "another long passphrase")
    changed = accounts.change_password(user.id, PASSWORD, "another long passphrase")
    assert accounts.session_user(user.id, user.session_epoch, session) is None
    assert accounts.session_user(user.id, changed.session_epoch, session) is None
    fresh = accounts.open_session(user.id, timedelta(days=1))
    assert accounts.session_user(user.id, changed.session_epoch, fresh) is not None
    accounts.authenticate("a@example.com", "another long passphrase")


def test_api_tokens_are_shown_once_and_resolve_until_revoked(
    accounts: AccountService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    record, token = accounts.create_token(user.id, "laptop")
    assert token.startswith("ent_") and token.startswith(record.prefix)
    assert accounts.token_user(token) == accounts.user(user.id)
    with uow() as u:
        assert u.tokens.list(user.id)[0].last_used_at is not None
    assert accounts.token_user(token + "x") is None
    assert accounts.token_user("Basic abc") is None
    accounts.revoke_token(user.id, record.id)
    assert accounts.token_user(token) is None


def test_a_tokens_use_is_noted_at_most_once_a_minute(
    accounts: AccountService, uow: UnitOfWorkFactory, clock: FakeClock
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    _, token = accounts.create_token(user.id)

    def last_used() -> object:
        with uow() as u:
            return u.tokens.list(user.id)[0].last_used_at

    assert accounts.token_user(token) is not None
    first = last_used()
    clock.advance(seconds=30)
    assert accounts.token_user(token) is not None
    assert last_used() == first  # a bearer request within the minute writes nothing
    clock.advance(seconds=31)
    assert accounts.token_user(token) is not None
    assert last_used() != first


def test_a_user_cannot_revoke_another_users_token(accounts: AccountService) -> None:
    alice = accounts.register("a@example.com", PASSWORD)
    bob = accounts.register("b@example.com", PASSWORD)
    record, token = accounts.create_token(alice.id)
    with pytest.raises(RecordNotFound):
        accounts.revoke_token(bob.id, record.id)
    assert accounts.token_user(token) is not None


def test_a_token_of_a_deactivated_account_is_refused(
    accounts: AccountService, uow: UnitOfWorkFactory
) -> None:
    user = accounts.register("a@example.com", PASSWORD)
    _, token = accounts.create_token(user.id)
    with uow() as u:
        u.users.update(user.id, is_active=False)
        u.commit()
    assert accounts.token_user(token) is None


def test_openid_sign_in_links_by_subject_then_by_email(accounts: AccountService) -> None:
    existing = accounts.register("a@example.com", PASSWORD)
    linked = accounts.sign_in_oidc("https://issuer|sub-1", "A@example.com", "Alice")
    assert linked.id == existing.id and linked.oidc_subject == "https://issuer|sub-1"
    again = accounts.sign_in_oidc("https://issuer|sub-1", "changed@example.com")
    assert again.id == existing.id
    created = accounts.sign_in_oidc("https://issuer|sub-2", "new@example.com", "New")
    assert created.id != existing.id and not created.has_password


def test_a_providers_name_with_control_characters_does_not_block_sign_in(
    accounts: AccountService,
) -> None:
    """Issue 42: a name the identity provider sent with a NUL or an escape sequence refused
    the sign-in, which its owner could not fix; now what cannot be shown is dropped."""
    given = "Zo\u00e9\x00 \x1b[31mR\u202eed\udce9\n" + "x" * 200
    user = accounts.sign_in_oidc("https://issuer|sub-3", "zoe@example.com", given)
    assert user.name == "Zo\u00e9 [31mRed" + "x" * (128 - len("Zo\u00e9 [31mRed"))
    with pytest.raises(InvalidAccountInput):  # a name typed here is still refused
        accounts.register("typed@example.com", PASSWORD, name="Zo\x00e")


def test_email_normalisation() -> None:
    assert normalize_email(" Bob@Example.org ") == "bob@example.org"
    with pytest.raises(InvalidAccountInput):
        normalize_email("bob@localhost")


def test_passwords_verify_in_constant_shape() -> None:
    passwords = Passwords()
    hashed = passwords.hash(PASSWORD)
    assert passwords.verify(hashed, PASSWORD)
    assert not passwords.verify(hashed, PASSWORD + "x")
    assert not passwords.verify(None, PASSWORD)
    assert not passwords.verify("not a hash", PASSWORD)
