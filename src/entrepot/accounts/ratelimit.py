"""Sign-in rate limiting: failures counted per email and per address over a window.

Failures are rows in the catalog, so every instance of the service sees the same counts.
A successful sign-in forgets the email's failures (not the address's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from entrepot.accounts.errors import TooManyAttempts
from entrepot.catalog.uow import UnitOfWork


def retry_after(
    failures: int, oldest: datetime | None, now: datetime, *, limit: int, window: timedelta
) -> int | None:
    """Seconds to wait before the next attempt, or ``None`` if one is allowed now."""
    if failures < limit or oldest is None:
        return None
    wait = (oldest + window - now).total_seconds()
    return max(1, int(wait + 0.999)) if wait > 0 else None


@dataclass(frozen=True)
class LoginLimiter:
    """At most ``per_email`` failures per email and ``per_address`` per client address in
    ``window``."""

    per_email: int = 5
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)

    def scopes(self, email: str, address: str | None) -> list[tuple[str, int]]:
        """The counters an attempt touches, with their limits."""
        found = [(f"email:{email}", self.per_email)]
        if address:
            found.append((f"ip:{address}", self.per_address))
        return found

    def check(self, uow: UnitOfWork, email: str, address: str | None, now: datetime) -> None:
        """Raise :class:`TooManyAttempts` if a counter is full."""
        for scope, limit in self.scopes(email, address):
            count, oldest = uow.attempts.since(scope, now - self.window)
            wait = retry_after(count, oldest, now, limit=limit, window=self.window)
            if wait is not None:
                raise TooManyAttempts(
                    f"too many failed sign-ins for this {scope.partition(':')[0]}",
                    retry_after=wait,
                )

    def failed(self, uow: UnitOfWork, email: str, address: str | None, now: datetime) -> None:
        """Count one failure (the caller commits)."""
        for scope, _ in self.scopes(email, address):
            uow.attempts.add(scope, now)
        uow.attempts.prune(now - self.window)

    def succeeded(self, uow: UnitOfWork, email: str) -> None:
        """Forget the email's failures (the caller commits)."""
        uow.attempts.clear(f"email:{email}")
