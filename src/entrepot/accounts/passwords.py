"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from entrepot.accounts.errors import InvalidAccountInput
from entrepot.messages import N_, Message, Np_

MIN_LENGTH = 10
MAX_LENGTH = 1024


class Passwords:
    """Hash and verify passwords with argon2id.

    The defaults are OWASP's minimum for argon2id (19 MiB, 2 iterations, 1 lane): a
    hash takes tens of milliseconds, which keeps sign-in fast and guessing slow.
    """

    def __init__(self, *, time_cost: int = 2, memory_kib: int = 19_456) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._dummy = self._hasher.hash("entrepot-dummy-password")

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, hashed: str | None, password: str) -> bool:
        """Whether ``password`` matches ``hashed``. With ``hashed=None`` (no such account)
        a dummy hash is checked, so that the answer takes the same time."""
        try:
            return self._hasher.verify(hashed or self._dummy, password) and hashed is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        """Whether ``hashed`` was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(hashed)


def check_password(password: str, *, email: str = "") -> str:
    """``password`` if the policy accepts it; raises :class:`InvalidAccountInput`."""
    if len(password) < MIN_LENGTH:
        raise InvalidAccountInput(
            f"the password has {len(password)} characters; it needs at least {MIN_LENGTH}",
            hint="use a passphrase of several words",
            said=Message(
                Np_("error.password_short"), {"count": len(password), "least": MIN_LENGTH}
            ),
        )
    if len(password) > MAX_LENGTH:
        raise InvalidAccountInput(
            f"the password is longer than {MAX_LENGTH} characters",
            said=Message(N_("error.password_long"), {"most": MAX_LENGTH}),
        )
    if email and password.strip().lower() == email.strip().lower():
        raise InvalidAccountInput(
            "the password may not be the email address", said=Message(N_("error.password_email"))
        )
    return password
