"""Where computed metrics and reports are kept: one interface, four backends by URL.

``open_metrics("sqlite:///var/entrepot.db")`` (the embedded default),
``postgresql://...`` (JSONB), ``mongodb://...`` (pymongo) or ``dynamodb://TABLE``
(boto3). See :class:`~entrepot.city.metrics.base.MetricsStore`.
"""

from entrepot.city.metrics.base import DocumentInfo, MetricsStore, StoredDocument
from entrepot.city.metrics.url import open_metrics

__all__ = ["DocumentInfo", "MetricsStore", "StoredDocument", "open_metrics"]
