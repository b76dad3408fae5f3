"""``Repr-Digest`` (RFC 9530): a body's sha256 as an HTTP field, written by the API and
read back by its clients, in one place."""

from __future__ import annotations

import base64
import binascii
import re

#: ``sha-256=:BASE64:`` among the field's members.
_SHA256 = re.compile(r"(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):")


def repr_digest(sha256_hex: str) -> str:
    """The field's value for a body whose sha256 is ``sha256_hex``."""
    raw = bytes.fromhex(sha256_hex)
    return f"sha-256=:{base64.b64encode(raw).decode('ascii')}:"


def sha256_of(field: str | None) -> str | None:
    """The sha256 (hex) a ``Repr-Digest`` field gives; ``None`` when it gives none."""
    found = _SHA256.search(field or "")
    if found is None:
        return None
    try:
        raw = base64.b64decode(found.group(1), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None
