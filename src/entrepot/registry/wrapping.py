"""The ring's keys at rest: each encrypted with the instance secret (Fernet: AES-128-CBC and
HMAC-SHA256, authenticated, from ``cryptography``; ADR 0035). The only module that
imports ``cryptography``.

The Fernet key is derived from the secret with HKDF-SHA256 (a fixed context), so any
secret of the accepted length wraps, and a wrong secret is told apart from a damaged row
only in that neither can be read: :class:`WrongSecret`.
"""

from __future__ import annotations

import base64

from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

_INFO = b"entrepot-key-ring-v1"


class WrongSecret(ConfigError):
    """A wrapped key does not open with this secret."""


def _fernet(secret: str):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def wrap(secret: str, key: str) -> str:
    """``key`` encrypted with ``secret`` (text, safe to store)."""
    token: bytes = _fernet(secret).encrypt(key.encode())
    return token.decode("ascii")


def unwrap(secret: str, wrapped: str, *, key_id: str) -> str:
    """The key ``wrapped`` holds; raises :class:`WrongSecret` if ``secret`` did not wrap it."""
    from cryptography.fernet import InvalidToken

    try:
        plain: bytes = _fernet(secret).decrypt(wrapped.encode("ascii"))
    except (InvalidToken, ValueError):
        raise WrongSecret(
            f"signing key {key_id} of the key ring does not open with this instance's secret "
            "(ENTREPOT_SECRET_KEY or var/secret_key): the catalog was moved from an "
            "installation with another secret",
            hint="re-wrap the ring with the old secret: `entrepot secrets rewrap "
            "--old-secret-file FILE` (FILE holds the old installation's secret, e.g. its "
            "var/secret_key), or import an export: `entrepot secrets import FILE`",
            said=Message(N_("error.registry.wrong_secret"), {"signing_key": key_id}),
        ) from None
    return plain.decode()
