"""Signatures that mark a version as produced by this installation.

A pickle-based model file is code: it is loaded only if the version's manifest
hash, recorded in the catalog at push time, carries an HMAC made with this
instance's secret. An outside file never has one, so it must be in a safe format.
"""

from __future__ import annotations

import hashlib
import hmac

_CONTEXT = b"entrepot-model-version-v1\x00"


def sign_manifest(manifest_sha256: str, secret: str) -> str:
    """HMAC-SHA256 of the manifest hash with the instance secret."""
    return hmac.new(
        secret.encode(), _CONTEXT + manifest_sha256.encode(), hashlib.sha256
    ).hexdigest()


def signature_valid(manifest_sha256: str, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` was made by :func:`sign_manifest` with ``secret``."""
    if not signature:
        return False
    return hmac.compare_digest(sign_manifest(manifest_sha256, secret), signature)
