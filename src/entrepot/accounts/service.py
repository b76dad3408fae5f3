"""Accounts: sign-up, sign-in, passwords, sessions' validity and API tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from entrepot.accounts.api_tokens import ApiTokens
from entrepot.accounts.errors import (
    AccountInactive,
    EmailTaken,
    InvalidAccountInput,
    InvalidCredentials,
)
from entrepot.accounts.identities import normalize_email, skeleton
from entrepot.accounts.licences import LicenceService
from entrepot.accounts.passwords import Passwords, check_password
from entrepot.accounts.ratelimit import LoginLimiter, SignupLimiter
from entrepot.accounts.sessions import Sessions
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.reads import ReadsFactory, reads_through
from entrepot.catalog.text import refuse_bad_text
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import RecordExists, RecordNotFound
from entrepot.messages import N_, Message

Clock = Callable[[], datetime]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: What a provider's display name loses: controls, formats, surrogates, separators.
_HIDDEN = ("Cc", "Cf", "Cs", "Zl", "Zp")
#: The largest id a catalog row can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def _name(name: str, email: str) -> str:
    cleaned = " ".join(name.split())
    if _CONTROL.search(cleaned):
        raise InvalidAccountInput(
            "the name holds control characters (such as NUL)",
            said=Message(N_("error.name_control")),
        )
    refuse_bad_text(cleaned, what="the name")  # a lone surrogate (ADR 0074)
    if len(cleaned) > 128:
        raise InvalidAccountInput(
            "the name is longer than 128 characters",
            said=Message(N_("error.name_long"), {"most": 128}),
        )
    return cleaned or email.partition("@")[0]


def _provided(name: str) -> str:
    """A display name an identity provider gave, made one a person could have typed: its
    controls, invisible formats and lone surrogates dropped, cut to 128 characters. The
    user cannot fix it, so it never blocks the sign-in (issue 42)."""
    kept = "".join(c for c in name if unicodedata.category(c) not in _HIDDEN)
    return " ".join(kept.split())[:128]


class AccountService(Sessions, ApiTokens):
    """Sign-up, sign-in and what a signed-in user manages about their account."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        licences: LicenceService,
        *,
        passwords: Passwords | None = None,
        limiter: LoginLimiter | None = None,
        signups: SignupLimiter | None = None,
        clock: Clock | None = None,
        reads: ReadsFactory | None = None,
    ) -> None:
        self._uow = uow_factory
        self._read = reads or reads_through(uow_factory)
        self._licences = licences
        self._passwords = passwords or Passwords()
        self._limiter = limiter or LoginLimiter()
        self._signups = signups or SignupLimiter()
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- accounts ----------------------------------------------------------

    @property
    def licences(self) -> LicenceService:
        """The accounts' licences: plans, trials, quotas."""
        return self._licences

    def register(
        self,
        email: str,
        password: str | Callable[[], str],
        *,
        name: str = "",
        admin: bool = False,
        address: str | None = None,
    ) -> UserRecord:
        """Create an account with a trial licence; raises :class:`EmailTaken`,
        :class:`InvalidAccountInput`, or :class:`TooManyAttempts` when ``address`` (the
        client's, for sign-ups over the web) created too many accounts lately. A callable
        ``password`` is asked only once the email is known to be one (a prompt)."""
        email = normalize_email(email)
        if callable(password):
            password = password()
        check_password(password, email=email)
        now = self._clock()
        if address:
            with self._uow() as uow:
                self._signups.reserve(uow, address, now)
                uow.commit()
        hashed = self._passwords.hash(password)
        with self._uow() as uow:
            _refuse_look_alike(uow, email)
            try:
                user = uow.users.add(
                    email=email,
                    name=_name(name, email),
                    password_hash=hashed,
                    is_admin=admin,
                    now=now,
                )
            except RecordExists:
                raise EmailTaken(
                    f"an account already exists for {email}",
                    said=Message(N_("error.account.email_taken"), {"email": email}),
                ) from None
            self._licences.grant_trial(uow, user.id, now)
            _record(uow, now, user.id, email, "sign-up", address)
            uow.commit()
        return user

    def authenticate(self, email: str, password: str, *, address: str | None = None) -> UserRecord:
        """The account if the password matches; raises :class:`InvalidCredentials`,
        :class:`TooManyAttempts` or :class:`AccountInactive`.

        The attempt is counted before the password is checked (one atomic step per
        counter), so parallel guesses cannot pass the limit; a right one is uncounted. No
        count of the account's failures from other addresses refuses a right password
        from an address that has not failed (:mod:`entrepot.accounts.ratelimit`)."""
        try:
            email = normalize_email(email)
        except InvalidAccountInput:
            raise InvalidCredentials(
                "wrong email or password", said=Message(N_("error.account.wrong_password"))
            ) from None
        now = self._clock()
        with self._uow() as uow:
            self._limiter.reserve(uow, email, address, now)
            uow.commit()
        with self._uow() as uow:
            user = uow.users.by_email(email)
            hashed = uow.users.password_hash(user.id) if user else None
        # the slow hash runs outside any transaction: no lock is held while it runs
        if not self._passwords.verify(hashed, password) or user is None or hashed is None:
            reason = "unknown account" if user is None else "wrong password"
            with self._uow() as uow:
                known = None if user is None else user.id
                self._limiter.failed(uow, email, address, now)
                _record(uow, now, known, email, "sign-in-failed", address, reason=reason)
                uow.commit()
            raise InvalidCredentials(
                "wrong email or password", said=Message(N_("error.account.wrong_password"))
            )
        with self._uow() as uow:
            self._limiter.succeeded(uow, email, address)
            uow.commit()
        if not user.is_active:
            with self._uow() as uow:
                _record(uow, now, user.id, email, "sign-in-failed", address, reason="deactivated")
                uow.commit()
            raise AccountInactive(
                f"the account {email} is deactivated",
                said=Message(N_("error.account.inactive"), {"email": email}),
            )
        with self._uow() as uow:
            values: dict[str, object] = {"last_login_at": now}
            if self._passwords.needs_rehash(hashed):
                values["password_hash"] = self._passwords.hash(password)
            user = uow.users.update(user.id, **values)
            _record(uow, now, user.id, email, "sign-in", address)
            uow.commit()
        return user

    def change_password(
        self, user_id: int, current: str, new: str, *, keep_tokens: Iterable[int] = ()
    ) -> UserRecord:
        """Replace the password after checking the current one. Every session of the
        account ends (the caller opens a new one for itself) and every API token is revoked
        but those of ``keep_tokens`` (ids of the user's own tokens)."""
        keep = frozenset(int(t) for t in keep_tokens)
        now = self._clock()
        with self._uow() as uow:
            user = uow.users.get(user_id)
            hashed = uow.users.password_hash(user_id)
            if user.has_password and not self._passwords.verify(hashed, current):
                raise InvalidCredentials(
                    "the current password is wrong",
                    said=Message(N_("error.account.current_password")),
                )
            check_password(new, email=user.email)
            owned = {t.id for t in uow.tokens.list(user_id)}
            if keep - owned:
                raise InvalidAccountInput(
                    f"no token {min(keep - owned)} among yours",
                    hint="name the tokens to keep by the ids /api/tokens lists",
                    said=Message(N_("error.account.no_token"), {"token": min(keep - owned)}),
                )
            uow.users.update(user_id, password_hash=self._passwords.hash(new))
            uow.users.bump_epoch(user_id)
            uow.user_sessions.end_all(user_id, now)
            uow.tokens.revoke_all(user_id, now, keep=keep)
            user = uow.users.get(user_id)
            uow.commit()
        return user

    def find(self, ref: str) -> UserRecord:
        """The account ``ref`` names the way an operator names it: an email
        (``you@example.com``) or an id (``42``).

        Raises :class:`InvalidAccountInput` for anything else and :class:`RecordNotFound`
        when no such account exists.
        """
        text = ref.strip()
        if text.isdigit():
            number = int(text)
            if number > MAX_ID:  # no row holds it, and the database would refuse to look
                found = None
            else:
                with self._uow() as uow:
                    found = uow.users.find(number)
        elif "@" in text:
            email = normalize_email(text)
            with self._uow() as uow:
                found = uow.users.by_email(email)
        else:
            raise InvalidAccountInput(
                f"{ref[:60]!r} is neither an email nor an account id",
                hint="give the account's email (you@example.com) or its id (see `entrepot "
                "users list`)",
                said=Message(N_("error.account.reference"), {"ref": ref[:60]}),
            )
        if found is None:
            raise RecordNotFound(
                f"no account {text}",
                hint="see `entrepot users list`, or `entrepot users create`",
                said=Message(N_("error.account.no_account"), {"account": text}),
            )
        return found

    def count(self) -> int:
        """How many accounts exist."""
        with self._uow() as uow:
            return uow.users.count()

    def user(self, user_id: int) -> UserRecord:
        """The account ``user_id``; raises :class:`RecordNotFound`."""
        with self._uow() as uow:
            return uow.users.get(user_id)

    def by_email(self, email: str) -> UserRecord:
        """The account of ``email``; raises :class:`RecordNotFound`."""
        email = normalize_email(email)
        with self._uow() as uow:
            user = uow.users.by_email(email)
        if user is None:
            raise RecordNotFound(
                f"no account for {email}",
                hint="create it: `entrepot users create`",
                said=Message(N_("error.account.no_account_email"), {"email": email}),
            )
        return user

    def sign_in_oidc(self, subject: str, email: str, name: str = "") -> UserRecord:
        """The account linked to an OpenID Connect ``subject`` (issuer-qualified): found by
        subject, else linked by its verified email, else created with a trial licence."""
        email = normalize_email(email)
        now = self._clock()
        with self._uow() as uow:
            user = uow.users.by_oidc_subject(subject)
            if user is None:
                user = uow.users.by_email(email)
                if user is not None:
                    user = uow.users.update(user.id, oidc_subject=subject)
            if user is None:
                _refuse_look_alike(uow, email)
                user = uow.users.add(
                    email=email,
                    name=_name(_provided(name), email),
                    password_hash=None,
                    is_admin=False,
                    now=now,
                    oidc_subject=subject,
                )
                self._licences.grant_trial(uow, user.id, now)
            if not user.is_active:
                raise AccountInactive(
                    f"the account {email} is deactivated",
                    said=Message(N_("error.account.inactive"), {"email": email}),
                )
            user = uow.users.update(user.id, last_login_at=now)
            _record(uow, now, user.id, email, "sign-in", None, via="oidc")
            uow.commit()
        return user


def _refuse_look_alike(uow: UnitOfWork, email: str) -> None:
    """Raise :class:`EmailTaken` when an account's address looks like ``email`` (their
    skeletons are equal: :func:`entrepot.accounts.identities.skeleton`)."""
    wanted = skeleton(email)
    for existing in uow.users.emails():
        if existing != email and skeleton(existing) == wanted:
            raise EmailTaken(
                f"an account already exists for an address that looks like {email}",
                hint="sign in with that account, or use another email address",
                said=Message(N_("error.account.email_lookalike"), {"email": email}),
            )


def _record(
    uow: UnitOfWork,
    now: datetime,
    user_id: int | None,
    email: str,
    action: str,
    address: str | None,
    **details: str,
) -> None:
    """Append a sign-up or sign-in (done or failed) to the audit log, in ``uow``."""
    if address:
        details["address"] = address
    uow.audit.add(
        at=now, actor_id=user_id, actor=email, action=action, target=email, details=details
    )
