"""Open a metrics store from its URL; each backend's SDK is imported only when chosen."""

from __future__ import annotations

from entrepot.city.metrics.base import MetricsStore
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

_HINT = (
    "use sqlite:///var/metrics.db, postgresql://user:password@host/db, "
    "mongodb://host:27017/db or dynamodb://TABLE?region=eu-west-3"
)


def open_metrics(url: str) -> MetricsStore:
    """The metrics store for ``url``; raises :class:`ConfigError` for an unknown scheme."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    base = scheme.split("+", 1)[0]
    if base == "sqlite" or base in ("postgresql", "postgres"):
        from entrepot.city.metrics.sql import SqlMetrics

        return SqlMetrics.from_url(url)
    if base == "mongodb":
        from entrepot.city.metrics.mongodb import MongoMetrics

        return MongoMetrics.from_url(url)
    if base == "dynamodb":
        from entrepot.city.metrics.dynamodb import DynamoMetrics

        return DynamoMetrics.from_url(url)
    shown = url.split("@")[-1] if "@" in url else url
    raise ConfigError(
        f"unsupported metrics store URL {shown!r}",
        hint=_HINT,
        said=Message(N_("error.city.metrics_url"), {"url": shown[:200]}),
    )
