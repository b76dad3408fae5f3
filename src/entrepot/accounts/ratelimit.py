"""Rate limits on sign-ins and sign-ups, counted in the catalog.

Every instance of the service sees the same counts. An attempt takes its place in each
counter *before* the password is checked, in one atomic ``UPDATE`` per counter
(:class:`~entrepot.catalog.accounts.counters.RateCounterRepository`), so that parallel
guesses can never pass the limit; an attempt that turns out to be right gives its places
back.

Sign-ins are counted per email *and address* (the hard limit: 5 in 15 minutes), per email
from any address (a softer limit, against guesses spread over many addresses) and per
address for any email (against one address trying many accounts). Someone guessing a
password from one address therefore never locks the owner out from another, and a
shared address (an office, a NAT) is only closed by a flood of failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entrepot.accounts.errors import TooManyAttempts
from entrepot.catalog.uow import UnitOfWork

#: Counters whose window began longer ago than this are forgotten (longer than any window).
FORGET_AFTER = timedelta(days=1)


def retry_after(
    failures: int, oldest: datetime | None, now: datetime, *, limit: int, window: timedelta
) -> int | None:
    """Seconds to wait before the next attempt, or ``None`` if one is allowed now."""
    if failures < limit or oldest is None:
        return None
    wait = (oldest + window - now).total_seconds()
    return max(1, int(wait + 0.999)) if wait > 0 else None


@dataclass(frozen=True)
class Counter:
    """One counter an attempt takes a place in."""

    scope: str
    limit: int
    #: What the refusal names: "this email from this address", "this address"...
    what: str


def _take(uow: UnitOfWork, counters: list[Counter], now: datetime, window: timedelta) -> None:
    """Take a place in every counter, or raise :class:`TooManyAttempts` (the caller rolls
    back, so a refused attempt counts nowhere)."""
    for counter in counters:
        started = uow.counters.take(counter.scope, limit=counter.limit, since=now - window, now=now)
        if started is not None:
            wait = retry_after(counter.limit, started, now, limit=counter.limit, window=window)
            raise TooManyAttempts(f"too many attempts for {counter.what}", retry_after=wait or 1)


@dataclass(frozen=True)
class LoginLimiter:
    """At most ``per_pair`` failed sign-ins of one email from one address, ``per_email``
    of one email and ``per_address`` from one address, in ``window``."""

    per_pair: int = 5
    per_email: int = 30
    per_address: int = 100
    window: timedelta = timedelta(minutes=15)

    def counters(self, email: str, address: str | None) -> list[Counter]:
        """The counters a sign-in touches."""
        where = address or "-"
        found = [
            Counter(f"login:{email}|{where}", self.per_pair, "this email from this address"),
            Counter(f"login:{email}", self.per_email, "this email"),
        ]
        if address:
            found.append(Counter(f"login-ip:{address}", self.per_address, "this address"))
        return found

    def reserve(self, uow: UnitOfWork, email: str, address: str | None, now: datetime) -> None:
        """Count the attempt as a failure until :meth:`succeeded` says otherwise; raises
        :class:`TooManyAttempts` if a counter is full. The caller commits."""
        _take(uow, self.counters(email, address), now, self.window)
        uow.counters.prune(now - FORGET_AFTER)

    def succeeded(self, uow: UnitOfWork, email: str, address: str | None) -> None:
        """The attempt was right: forget the email's failures and give the address its
        place back. The caller commits."""
        pair, per_email, *per_address = self.counters(email, address)
        uow.counters.clear(pair.scope)
        uow.counters.clear(per_email.scope)
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
