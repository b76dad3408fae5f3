"""The one key validator every store goes through.

A key is a relative, ``/``-separated path of non-empty segments. It is checked
after percent-decoding, so ``%2e%2e`` is as refused as ``..``. A prefix is a
key that names a folder: it always ends at a segment boundary, so the prefix
``models/v1`` covers ``models/v1/a`` and never ``models/v10/a``.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from entrepot.errors import InvalidKey
from entrepot.messages import N_, Message

MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
#: Segments starting with this are reserved for Entrepôt's own bookkeeping
#: (sidecars, temporary files, staging uploads) and never valid in a user key.
RESERVED_PREFIX = ".entrepot"


def _check_segment(segment: str, original: str) -> None:
    if segment == "":
        raise InvalidKey(
            "key has an empty segment ('//', or a leading or trailing '/')",
            key=original,
            said=Message(N_("error.storage.key_empty_segment"), {}),
        )
    if segment in (".", ".."):
        raise InvalidKey(
            f"key has a {segment!r} segment",
            key=original,
            said=Message(N_("error.storage.key_dot_segment"), {"segment": segment}),
        )
    if segment.startswith(RESERVED_PREFIX):
        raise InvalidKey(
            f"segments starting with {RESERVED_PREFIX!r} are reserved",
            key=original,
            said=Message(
                N_("error.storage.key_reserved_segment"),
                {"prefix": RESERVED_PREFIX},
            ),
        )
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidKey(
            f"key segment longer than {MAX_SEGMENT_BYTES} bytes",
            key=original,
            said=Message(
                N_("error.storage.key_segment_too_long"),
                {"limit": MAX_SEGMENT_BYTES},
            ),
        )


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a safe object key, else raise :class:`InvalidKey`."""
    if not isinstance(key, str):
        raise InvalidKey(
            f"key must be a string, not {type(key).__name__}",
            said=Message(N_("error.storage.key_not_text"), {"kind": type(key).__name__}),
        )
    decoded = unquote(key)
    for text in {key, decoded}:
        if text == "":
            raise InvalidKey(
                "key is empty", key=key, said=Message(N_("error.storage.key_empty"), {})
            )
        if "\\" in text:
            raise InvalidKey(
                "key contains a backslash; use '/' as separator",
                key=key,
                said=Message(N_("error.storage.key_backslash"), {}),
            )
        # Cs: a lone surrogate, which no store's UTF-8 and no catalog can keep
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text):
            raise InvalidKey(
                "key contains a control or invisible character",
                key=key,
                said=Message(N_("error.storage.key_invisible"), {}),
            )
        if text.startswith("/"):
            raise InvalidKey(
                "key is absolute; keys are relative to the store",
                key=key,
                said=Message(N_("error.storage.key_absolute"), {}),
            )
        if len(text.encode("utf-8")) > MAX_KEY_BYTES:
            raise InvalidKey(
                f"key longer than {MAX_KEY_BYTES} bytes",
                key=key,
                said=Message(N_("error.storage.key_too_long"), {"limit": MAX_KEY_BYTES}),
            )
        for segment in text.split("/"):
            _check_segment(segment, key)
    return key


def normalize_prefix(prefix: str) -> str:
    """Return a folder prefix: ``""`` (the whole store) or validated segments ending in ``/``."""
    if prefix in ("", "/"):
        return ""
    stripped = prefix[:-1] if prefix.endswith("/") else prefix
    validate_key(stripped)
    return stripped + "/"


def join(prefix: str, key: str) -> str:
    """Join a normalized prefix and a validated key."""
    return normalize_prefix(prefix) + validate_key(key)


def segment(value: str, *, what: str = "segment") -> str:
    """Validate one path segment built from user-facing parts (a name, a version, an id)."""
    if "/" in value:
        raise InvalidKey(
            f"{what} {value!r} must not contain '/'",
            said=Message(N_("error.storage.segment_has_slash"), {"what": what, "value": value}),
        )
    validate_key(value)
    return value
