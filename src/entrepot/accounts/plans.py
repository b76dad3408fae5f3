"""Licence plans, their limits, and licence keys (``PLAN-<16 hex>``)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from entrepot.accounts.errors import InvalidLicenceKey
from entrepot.messages import N_, Message

MIB = 1024 * 1024


@dataclass(frozen=True)
class Plan:
    """What a licence allows."""

    name: str
    #: Ready models (trained versions) at once; ``None``: no limit.
    max_models: int | None
    #: Size of one uploaded dataset.
    max_dataset_bytes: int
    #: How long a new key of this plan lasts.
    default_days: int


PLANS: dict[str, Plan] = {
    "trial": Plan("trial", 3, 100 * MIB, 14),
    "basic": Plan("basic", 10, 500 * MIB, 365),
    "premium": Plan("premium", 50, 2048 * MIB, 365),
    "enterprise": Plan("enterprise", None, 10240 * MIB, 365),
}
_KEY = re.compile(r"^(TRIAL|BASIC|PREMIUM|ENTERPRISE)-([0-9a-f]{16})$")


def plan(name: str) -> Plan:
    """The plan called ``name``; raises :class:`ValueError` naming the plans."""
    try:
        return PLANS[name]
    except KeyError:
        raise ValueError(f"no plan {name!r}; the plans are {', '.join(PLANS)}") from None


def new_key(plan_name: str) -> str:
    """A fresh random key of ``plan_name``: ``PREMIUM-0123456789abcdef``."""
    return f"{plan(plan_name).name.upper()}-{secrets.token_hex(8)}"


def parse_key(text: str) -> str:
    """The key in ``text`` in its canonical form (upper-case plan, lower-case hex)."""
    raw = text.strip()
    prefix, dash, rest = raw.partition("-")
    canonical = f"{prefix.upper()}{dash}{rest.lower()}"
    if not _KEY.fullmatch(canonical):
        raise InvalidLicenceKey(
            f"{raw[:40]!r} is not a licence key",
            said=Message(N_("error.account.licence_key_form"), {"key": raw[:40]}),
        )
    return canonical
