"""What storing and moving objects costs, from a price table: pure arithmetic.

The built-in table (:data:`DEFAULT_PRICES`) holds list prices in US dollars as of
:data:`PRICES_AS_OF` for one region each; a JSON file can override or add providers::

    {"s3-standard": {"storage_gb_month": 0.021},
     "minio-nas": {"label": "our NAS", "storage_gb_month": 0.0, "put_per_1000": 0,
                   "get_per_1000": 0}}

A GB is 2**30 bytes, as the providers bill it. Providers with a minimum billable object
size (S3 Standard-IA: 128 KiB) bill each smaller object as that size.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

GIB = 1024**3
PRICES_AS_OF = "2025-11"


@dataclass(frozen=True, slots=True)
class Price:
    """One provider's prices (US dollars)."""

    label: str
    #: Per GB stored for a month.
    storage_gb_month: float
    #: Per 1,000 writes (PUT, COPY, POST, LIST; GCS class A).
    put_per_1000: float
    #: Per 1,000 reads (GET, HEAD; GCS class B).
    get_per_1000: float
    #: Objects smaller than this are billed as this size.
    min_object_bytes: int = 0
    #: Per GB read back (S3 Standard-IA's retrieval fee).
    retrieval_per_gb: float = 0.0


DEFAULT_PRICES: Mapping[str, Price] = {
    "s3-standard": Price("AWS S3 Standard (us-east-1)", 0.023, 0.005, 0.0004),
    "s3-ia": Price(
        "AWS S3 Standard-IA (us-east-1)",
        0.0125,
        0.01,
        0.001,
        min_object_bytes=128 * 1024,
        retrieval_per_gb=0.01,
    ),
    "gcs-standard": Price("Google Cloud Storage Standard (us-central1)", 0.020, 0.005, 0.0004),
    "paas-volume": Price("PaaS persistent volume (Railway-style)", 0.25, 0.0, 0.0),
}


@dataclass(frozen=True, slots=True)
class Cost:
    """What one provider would cost for the objects estimated."""

    provider: str
    label: str
    billable_bytes: int
    #: Storage, per month.
    storage_month: float
    #: The migration's own requests (a write and a check per object), once.
    migration_once: float
    #: ``reads_per_month`` reads of average-sized objects, per month.
    reads_month: float

    @property
    def month(self) -> float:
        """Storage plus reads, per month."""
        return self.storage_month + self.reads_month


def load_prices(path: Path | None, base: Mapping[str, Price] = DEFAULT_PRICES) -> dict[str, Price]:
    """``base`` with the providers of the JSON file at ``path`` overriding or added."""
    prices = dict(base)
    if path is None:
        return prices
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the price table {path}: {exc}",
            said=Message(
                N_("error.relocation.prices_unreadable"), {"file": str(path), "detail": str(exc)}
            ),
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path} must hold a JSON object of provider: prices",
            said=Message(N_("error.relocation.prices_not_object"), {"file": str(path)}),
        )
    names = {f.name for f in fields(Price)}
    for provider, values in raw.items():
        if not isinstance(values, dict) or set(values) - names:
            raise ConfigError(
                f"{path}: provider {provider!r} must be an object with some of: "
                + ", ".join(sorted(names)),
                said=Message(
                    N_("error.relocation.provider_not_object"),
                    {
                        "file": str(path),
                        "provider": str(provider),
                        "fields": ", ".join(sorted(names)),
                    },
                ),
            )
        prices[provider] = _price(provider, values, prices.get(provider), path)
    return prices


def _price(provider: str, values: dict[str, Any], known: Price | None, path: Path) -> Price:
    if known is None:
        missing = {"storage_gb_month", "put_per_1000", "get_per_1000"} - set(values)
        if missing:
            raise ConfigError(
                f"{path}: new provider {provider!r} lacks {', '.join(sorted(missing))}",
                said=Message(
                    N_("error.relocation.provider_incomplete"),
                    {
                        "file": str(path),
                        "provider": provider,
                        "missing": ", ".join(sorted(missing)),
                    },
                ),
            )
        known = Price(provider, 0.0, 0.0, 0.0)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "label":
            if not isinstance(value, str) or not value:
                raise ConfigError(
                    f"{path}: {provider}.label must be a non-empty string",
                    said=Message(
                        N_("error.relocation.provider_label"),
                        {"file": str(path), "provider": provider},
                    ),
                )
            changes[name] = value
        elif not _number(value) or value < 0:
            raise ConfigError(
                f"{path}: {provider}.{name} must be a non-negative number",
                said=Message(
                    N_("error.relocation.price_not_number"),
                    {"file": str(path), "provider": provider, "field": name},
                ),
            )
        else:
            changes[name] = int(value) if name == "min_object_bytes" else float(value)
    return replace(known, **changes)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def estimate(
    prices: Mapping[str, Price],
    *,
    objects: int,
    size: int,
    billable: Callable[[int], int],
    reads_per_month: int = 0,
) -> list[Cost]:
    """The cost of ``objects`` objects of ``size`` bytes in all at each provider.

    ``billable(min_object_bytes)`` gives the bytes billed when each object counts for at
    least that many (the caller sums ``max(size, minimum)`` over its objects).
    """
    costs = []
    mean = size / objects if objects else 0.0
    for provider, price in prices.items():
        stored = billable(price.min_object_bytes) if price.min_object_bytes else size
        reads_gb = reads_per_month * mean / GIB
        costs.append(
            Cost(
                provider=provider,
                label=price.label,
                billable_bytes=stored,
                storage_month=stored / GIB * price.storage_gb_month,
                migration_once=objects * (price.put_per_1000 + price.get_per_1000) / 1000,
                reads_month=reads_per_month * price.get_per_1000 / 1000
                + reads_gb * price.retrieval_per_gb,
            )
        )
    return costs
