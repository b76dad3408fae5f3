"""Sign-in attempts for the rate-limit tests (SQLite here, PostgreSQL in integration)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from entrepot.accounts.errors import InvalidCredentials, TooManyAttempts
from entrepot.accounts.service import AccountService


def parallel_wrong_guesses(
    accounts: AccountService, email: str, *, count: int = 30, address: str = "10.0.0.1"
) -> list[str]:
    """``count`` wrong passwords for ``email`` from ``address`` on 10 threads at once; each
    outcome is ``"wrong"`` (counted), ``"limited"`` (refused by the limiter) or ``"in"``."""

    def guess(_: int) -> str:
        try:
            accounts.authenticate(email, "wrong password!", address=address)
        except InvalidCredentials:
            return "wrong"
        except TooManyAttempts:
            return "limited"
        return "in"

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(guess, range(count)))
