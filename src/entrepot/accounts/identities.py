"""Email addresses as identities: one spelling per account, and no look-alikes.

:func:`normalize_email` is the one normal form: NFKC (full-width ``ａ`` is ``a``), lower
case, no invisible or bidirectional-control character (zero-width space, right-to-left
override: refused, never silently dropped), no quoted local part, no trailing dot in the
domain. :func:`skeleton` is what two addresses that *look* alike share: NFKC, case-folded,
accents and combining marks removed (dotted ``İ`` is ``i``), and the Cyrillic and Greek
letters that look like Latin ones mapped to them (``а`` ``е`` ``о`` ``р`` ``с`` ``у``
``х`` ``і`` ``ј`` ``ѕ`` ``һ`` ``ԁ`` ``ԛ`` ``ԝ`` and their capitals; ``α`` ``ο`` ``ρ``
``ν`` ``τ`` ``ι`` ``κ``...). It does not cover every Unicode confusable (Armenian,
Cherokee, mathematical letters beyond NFKC): the refusal of mixed scripts would.
"""

from __future__ import annotations

import re
import unicodedata

from entrepot.accounts.errors import InvalidAccountInput
from entrepot.messages import N_, Message

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "һ": "h",
        "ԁ": "d", "ԛ": "q", "ԝ": "w", "ѵ": "v", "ӏ": "l", "ё": "e", "ї": "i", "ԍ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "μ": "u", "ϲ": "c",
        "ϳ": "j",
        # Latin look-alikes
        "ı": "i", "ℓ": "l", "ſ": "s",
    }
)  # fmt: skip


def normalize_email(email: str) -> str:
    """``email`` in its one normal form; raises :class:`InvalidAccountInput` naming what
    is wrong (see the module docstring)."""
    shown = repr(email[:60])
    hidden = sorted({f"U+{ord(c):04X}" for c in email if unicodedata.category(c) == "Cf"})
    if hidden:
        raise InvalidAccountInput(
            f"{shown} holds invisible or text-direction characters ({', '.join(hidden)})",
            hint="type the address again by hand instead of pasting it",
            said=Message(N_("error.email_hidden")),
        )
    cleaned = unicodedata.normalize("NFKC", email).strip().lower()
    if len(cleaned) > 320 or not _EMAIL.fullmatch(cleaned):
        raise InvalidAccountInput(
            f"{shown} is not an email address",
            hint="write it as name@example.com",
            said=Message(N_("error.email_invalid"), {"email": email[:60]}),
        )
    local, _, domain = cleaned.rpartition("@")
    if '"' in local:
        raise InvalidAccountInput(
            f"{shown} has a quoted local part",
            hint="write the address without quotes",
            said=Message(N_("error.email_quoted"), {"email": email[:60]}),
        )
    if domain.endswith(".") or ".." in domain or domain.startswith("."):
        raise InvalidAccountInput(
            f"{shown} has an empty part in its domain (such as a trailing dot)",
            hint="write it as name@example.com",
            said=Message(N_("error.email_invalid"), {"email": email[:60]}),
        )
    return cleaned


def skeleton(email: str) -> str:
    """What look-alike spellings of ``email`` (normalised) share (see the module
    docstring): equal skeletons name what a reader takes for the same address."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", email).casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return bare.translate(_CONFUSABLES)
