"""Rate limits on sign-ins and sign-ups, counted in the catalog.

Every instance of the service sees the same counts. An attempt takes its place in each
counter *before* the password is checked, in one atomic ``UPDATE`` per counter
(:class:`~entrepot.catalog.accounts.counters.RateCounterRepository`), so that parallel
guesses can never pass the limit; an attempt that turns out to be right gives its places
back.

Sign-ins are limited per email *and address* (5 failures, then a lock) and per address
for any email (100, against one address trying many accounts). Each lock of one of these
is a *strike*; the next lock of the same counter lasts twice as long (exponential
back-off: 15 minutes, 30, 1 hour... up to 16 hours), until a day without strikes.

The failures of one email from any address are counted too (30 in 15 minutes), but this
account-wide count never refuses an attempt, so no one can lock the owner out: it only
slows wrong guesses. While it is full, a wrong password locks the address it came from
at once (one guess per address), and a right password from an address that has not failed
signs in. Eight addresses guessing five times each therefore cost the owner nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entrepot.accounts.errors import TooManyAttempts
from entrepot.catalog.uow import UnitOfWork

#: Counters whose window began longer ago than this are forgotten (longer than any window).
FORGET_AFTER = timedelta(days=1)
#: A lock lasts at most ``window * 2**MAX_DOUBLINGS`` (16 hours for 15 minutes).
MAX_DOUBLINGS = 6
#: No counter ever counts this many: the limit of a count that never refuses.
UNLIMITED = 2**31 - 1


def retry_after(
    failures: int, oldest: datetime | None, now: datetime, *, limit: int, window: timedelta
) -> int | None:
    """Seconds to wait before the next attempt, or ``None`` if one is allowed now."""
    if failures < limit or oldest is None:
        return None
    wait = (oldest + window - now).total_seconds()
    return max(1, int(wait + 0.999)) if wait > 0 else None


def backed_off(window: timedelta, strikes: int) -> timedelta:
    """How long a counter's window lasts after ``strikes`` locks in the last day: ``window``
    for the first lock, twice as long for each one after it."""
    return window * (1 << min(max(strikes - 1, 0), MAX_DOUBLINGS))


@dataclass(frozen=True)
class Counter:
    """One counter an attempt takes a place in."""

    scope: str
    limit: int
    #: What the refusal names: "this email from this address", "this address"...
    what: str

    @property
    def strikes(self) -> str:
        """The scope counting this counter's locks (for the back-off)."""
        return f"strikes:{self.scope}"


def _window(uow: UnitOfWork, counter: Counter, now: datetime, window: timedelta) -> timedelta:
    return backed_off(window, uow.counters.count(counter.strikes, now - FORGET_AFTER))


def _take(uow: UnitOfWork, counters: list[Counter], now: datetime, window: timedelta) -> None:
    """Take a place in every counter, or raise :class:`TooManyAttempts` (the caller rolls
    back, so a refused attempt counts nowhere). A place that fills a counter is a strike."""
    for counter in counters:
        lasts = _window(uow, counter, now, window)
        started = uow.counters.take(counter.scope, limit=counter.limit, since=now - lasts, now=now)
        if started is not None:
            wait = retry_after(counter.limit, started, now, limit=counter.limit, window=lasts)
            raise TooManyAttempts(f"too many attempts for {counter.what}", retry_after=wait or 1)
        if uow.counters.count(counter.scope, now - lasts) >= counter.limit:
            _strike(uow, counter, now)


def _strike(uow: UnitOfWork, counter: Counter, now: datetime) -> None:
    uow.counters.take(counter.strikes, limit=UNLIMITED, since=now - FORGET_AFTER, now=now)


@dataclass(frozen=True)
class LoginLimiter:
    """At most ``per_pair`` failed sign-ins of one email from one address and
    ``per_address`` from one address in ``window`` (then locks that back off); past
    ``per_email`` failures of one email, each wrong password locks its address."""

    per_pair: int = 5
    per_email: int = 30
    per_address: int = 100
    window: timedelta = timedelta(minutes=15)

    def _pair(self, email: str, address: str | None) -> Counter:
        return Counter(
            f"login:{email}|{address or '-'}", self.per_pair, "this email from this address"
        )

    def _email(self, email: str) -> Counter:
        return Counter(f"login:{email}", self.per_email, "this email")

    def counters(self, email: str, address: str | None) -> list[Counter]:
        """The counters that may refuse a sign-in (the account-wide one never does)."""
        found = [self._pair(email, address)]
        if address:
            found.append(Counter(f"login-ip:{address}", self.per_address, "this address"))
        return found

    def reserve(self, uow: UnitOfWork, email: str, address: str | None, now: datetime) -> None:
        """Count the attempt as a failure until :meth:`succeeded` says otherwise; raises
        :class:`TooManyAttempts` if a counter is locked. The caller commits."""
        _take(uow, self.counters(email, address), now, self.window)
        uow.counters.prune(now - FORGET_AFTER)

    def failed(self, uow: UnitOfWork, email: str, address: str | None, now: datetime) -> None:
        """The password was wrong: count it against the account, and if the account is
        under attack (``per_email`` failures from anywhere in ``window``) lock the address
        it came from for this email. The caller commits."""
        account = self._email(email)
        since = now - self.window
        uow.counters.take(account.scope, limit=UNLIMITED, since=since, now=now)
        if uow.counters.count(account.scope, since) >= self.per_email:
            pair = self._pair(email, address)
            lasts = _window(uow, pair, now, self.window)
            if uow.counters.count(pair.scope, now - lasts) < pair.limit:
                uow.counters.fill(pair.scope, pair.limit, since=now - lasts, now=now)
                _strike(uow, pair, now)

    def succeeded(self, uow: UnitOfWork, email: str, address: str | None) -> None:
        """The attempt was right: forget this address's failures for the email and give
        the address its place back (the account-wide count stays: it refuses no one). The
        caller commits."""
        pair, *per_address = self.counters(email, address)
        uow.counters.clear(pair.scope)
        uow.counters.clear(pair.strikes)
        for counter in per_address:
            uow.counters.give_back(counter.scope)


@dataclass(frozen=True)
class SignupLimiter:
    """At most ``per_address`` accounts created from one address in ``window``."""

    per_address: int = 10
    window: timedelta = timedelta(hours=1)

    def reserve(self, uow: UnitOfWork, address: str | None, now: datetime) -> None:
        """Count a sign-up from ``address``; raises :class:`TooManyAttempts` past the limit.
        The caller commits."""
        if address:
            counter = Counter(f"signup:{address}", self.per_address, "sign-ups from this address")
            _take(uow, [counter], now, self.window)


@dataclass(frozen=True)
class KeyLimiter:
    """At most ``per_user`` wrong licence keys from one account in ``window`` (then locks
    that back off, as sign-ins do): a key is 20 random characters, but a service that
    answers every guess at once invites guessing (issue 42)."""

    per_user: int = 10
    window: timedelta = timedelta(minutes=15)

    def _counter(self, user_id: int) -> Counter:
        return Counter(f"licence-key:{user_id}", self.per_user, "licence keys from this account")

    def reserve(self, uow: UnitOfWork, user_id: int, now: datetime) -> None:
        """Count the attempt as wrong until :meth:`succeeded`; raises
        :class:`TooManyAttempts` while the account is locked. The caller commits."""
        _take(uow, [self._counter(user_id)], now, self.window)

    def succeeded(self, uow: UnitOfWork, user_id: int) -> None:
        """The key was right: its place is given back. The caller commits."""
        uow.counters.give_back(self._counter(user_id).scope)
