"""The business domains the generator knows: who pays whom, how much, when, and how fraud looks.

A :class:`Domain` is pure data, read from ``domains.toml`` beside this module on first
use. Column names come in English and French variants so that generated files differ in
naming the way real exports do; the first variant is the canonical one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from entrepot.fraud.errors import UnknownDomain
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class Names:
    """Name variants of one column; the first of each language is the canonical one."""

    en: tuple[str, ...]
    fr: tuple[str, ...]


@dataclass(frozen=True)
class Categorical:
    """A categorical column: values, their legitimate frequencies, those fraud favours."""

    key: str
    names: Names
    values: tuple[str, ...]
    weights: tuple[float, ...]
    risky: tuple[str, ...] = ()
    sticky: bool = False  # each customer mostly keeps one value (home country, device)
    codes: bool = False  # written as integer codes rather than labels


@dataclass(frozen=True)
class Numeric:
    """A numeric column drawn from a simple distribution; fraud rows are scaled."""

    key: str
    names: Names
    dist: str  # "lognormal" (median a, sigma b) | "normal" (mean a, sd b) | "uniform" [a, b)
    a: float
    b: float
    fraud_factor: float = 1.0
    integer: bool = False
    per_customer: bool = False


@dataclass(frozen=True)
class Domain:
    """One business domain of the generator."""

    name: str
    title: str
    customer: Names
    counterparty: Names
    prefixes: tuple[str, str]  # string-id prefixes of customers and counterparties
    amount_median: float
    amount_sigma: float
    hours: str  # key of HOUR_PROFILES
    weekend: float  # activity on a weekend day relative to a weekday
    span_days: int
    fraud_rate: float  # default fraud rate
    scenarios: tuple[tuple[str, float], ...]  # scenario name and its share of the frauds
    categoricals: tuple[Categorical, ...] = ()
    numerics: tuple[Numeric, ...] = ()
    threshold: float = 10_000.0  # reporting threshold that smurfing stays under


SCENARIOS = (
    "compromised_terminal",
    "compromised_card",
    "account_takeover",
    "velocity_burst",
    "smurfing",
    "unusual_destination",
    "large_amount",
)

#: Relative activity per hour of day, 0 h .. 23 h.
HOUR_PROFILES: dict[str, tuple[float, ...]] = {
    "retail": (1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 10, 11, 12, 11, 10, 10, 11, 12, 12, 10, 7, 4, 2, 1),
    "online": (3, 2, 2, 1, 1, 1, 2, 3, 5, 6, 7, 8, 8, 8, 8, 8, 8, 9, 10, 11, 12, 11, 8, 5),
    "business": (
        *(0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 1, 4, 9, 12, 12, 11),
        *(8, 10, 12, 12, 10, 7, 3, 1, 0.5, 0.3, 0.2, 0.2),
    ),
    "flat": (6, 6, 5, 5, 5, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7),
}

COMMON: dict[str, Names] = {
    "transaction_id": Names(
        en=("transaction_id", "tx_id", "TRANSACTION_ID", "TransactionID", "ref", "id"),
        fr=("id_transaction", "identifiant", "num_operation", "reference"),
    ),
    "timestamp": Names(
        en=("timestamp", "tx_datetime", "TX_DATETIME", "transaction_time", "event_time"),
        fr=("horodatage", "date_heure", "date_operation", "date_transaction"),
    ),
    "amount": Names(
        en=("amount", "tx_amount", "TX_AMOUNT", "TransactionAmount", "amt", "value"),
        fr=("montant", "montant_operation", "valeur", "somme"),
    ),
    "label": Names(
        en=("is_fraud", "fraud", "TX_FRAUD", "isFraud", "label", "fraud_flag", "Class"),
        fr=("fraude", "est_fraude", "frauduleux", "label_fraude"),
    ),
}


def _names(raw: dict[str, Any]) -> Names:
    return Names(en=tuple(raw["en"]), fr=tuple(raw["fr"]))


def _domain(name: str, raw: dict[str, Any]) -> Domain:
    categoricals = tuple(
        Categorical(
            key=c["key"],
            names=_names(c["names"]),
            values=tuple(c["values"]),
            weights=tuple(c["weights"]),
            risky=tuple(c.get("risky", ())),
            sticky=c.get("sticky", False),
            codes=c.get("codes", False),
        )
        for c in raw.get("categoricals", ())
    )
    numerics = tuple(
        Numeric(
            key=n["key"],
            names=_names(n["names"]),
            dist=n["dist"],
            a=n["a"],
            b=n["b"],
            fraud_factor=n.get("fraud_factor", 1.0),
            integer=n.get("integer", False),
            per_customer=n.get("per_customer", False),
        )
        for n in raw.get("numerics", ())
    )
    unknown = set(raw["scenarios"]) - set(SCENARIOS)
    if unknown or raw["hours"] not in HOUR_PROFILES:
        raise ValueError(f"domains.toml: {name} has unknown scenarios {unknown} or hours")
    return Domain(
        name=name,
        title=raw["title"],
        customer=_names(raw["customer"]),
        counterparty=_names(raw["counterparty"]),
        prefixes=(raw["prefixes"][0], raw["prefixes"][1]),
        amount_median=raw["amount_median"],
        amount_sigma=raw["amount_sigma"],
        hours=raw["hours"],
        weekend=raw["weekend"],
        span_days=raw["span_days"],
        fraud_rate=raw["fraud_rate"],
        scenarios=tuple(raw["scenarios"].items()),
        categoricals=categoricals,
        numerics=numerics,
        threshold=raw["threshold"],
    )


@cache
def domains() -> dict[str, Domain]:
    """Every domain by name, in the order of ``domains.toml``."""
    text = (
        resources.files("entrepot.fraud.synth").joinpath("domains.toml").read_text(encoding="utf-8")
    )
    return {name: _domain(name, raw) for name, raw in tomllib.loads(text).items()}


def get_domain(name: str) -> Domain:
    """The domain called ``name``; raises :class:`UnknownDomain` with the valid names."""
    known = domains()
    if name not in known:
        raise UnknownDomain(
            f"unknown domain {name!r}; known: {', '.join(known)}",
            said=Message(
                N_("error.fraud.unknown_domain"), {"domain": name[:60], "known": ", ".join(known)}
            ),
        )
    return known[name]
