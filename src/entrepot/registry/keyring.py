"""The key ring that signs model versions (ADR 0035): pure values, no I/O.

A signature names the key that made it: ``hmac-sha256:<key id>:<hex>``, the HMAC-SHA256 of
the manifest hash (:mod:`entrepot.registry.signing`). The newest key signs; every key of
the ring verifies, so adding one (``entrepot secrets rotate``) invalidates nothing. A
signature made before the ring (64 hex digits, no key id) is checked against every key;
the ring's first key is the instance secret of that time, so those signatures keep
verifying.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from entrepot.registry.signing import sign_manifest, signature_valid

#: The scheme named first in every signature with a key id.
SCHEME = "hmac-sha256"
_WITH_ID = re.compile(r"hmac-sha256:([0-9a-f]{12}):([0-9a-f]{64})")
_LEGACY = re.compile(r"[0-9a-f]{64}")


def key_id(key: str) -> str:
    """The id of ``key``: 12 hex digits of a hash that reveals nothing of it."""
    return hashlib.sha256(b"entrepot-signing-key-id\x00" + key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Verdict:
    """What a signature check found: ``valid``, or the key id the ring lacks."""

    valid: bool
    missing_key: str | None = None


@dataclass(frozen=True)
class KeyRing:
    """The keys by id, oldest first; the last one signs."""

    keys: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, *keys: str) -> KeyRing:
        """A ring of ``keys`` (oldest first), their ids derived."""
        return cls(tuple((key_id(k), k) for k in keys))

    @property
    def active(self) -> str:
        """The id of the key that signs."""
        return self.keys[-1][0]

    @property
    def ids(self) -> tuple[str, ...]:
        """Every key id, oldest first."""
        return tuple(i for i, _ in self.keys)

    def sign(self, manifest_sha256: str) -> str:
        """The signature of ``manifest_sha256`` by the active key, naming it."""
        ident, key = self.keys[-1]
        return f"{SCHEME}:{ident}:{sign_manifest(manifest_sha256, key)}"

    def check(self, manifest_sha256: str, signature: str | None) -> Verdict:
        """Whether ``signature`` was made by a key of this ring for ``manifest_sha256``."""
        if not signature:
            return Verdict(False)
        named = _WITH_ID.fullmatch(signature)
        if named is not None:
            key = dict(self.keys).get(named.group(1))
            if key is None:
                return Verdict(False, missing_key=named.group(1))
            return Verdict(signature_valid(manifest_sha256, named.group(2), key))
        if _LEGACY.fullmatch(signature):
            return Verdict(
                any(signature_valid(manifest_sha256, signature, k) for _, k in self.keys)
            )
        return Verdict(False)
