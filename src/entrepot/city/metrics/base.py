"""The metrics store interface: one document per (kind, local day), replaced on write.

A *kind* is a metric type (``bikes``, ``traffic``...) or ``report``. Every backend
keeps the document as JSON (SQLite JSON, PostgreSQL JSONB, a MongoDB document, a
DynamoDB map) with its sha256, computed here over a canonical form so that the same
document has the same checksum in every backend (DynamoDB gives ``12.0`` back as
``12``: numbers are compared as JSON numbers, where the two are equal).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from entrepot.city.errors import MetricsError, MetricsNotFound
from entrepot.city.kinds import check_kind
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class DocumentInfo:
    """What a store knows of a document without reading it."""

    kind: str
    day: date
    sha256: str
    updated_at: datetime


@dataclass(frozen=True)
class StoredDocument:
    """A stored document and its description."""

    info: DocumentInfo
    document: dict[str, Any]


def canonical(value: Any) -> Any:
    """``value`` with every integral float turned into an int (``12.0`` -> ``12``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def digest(document: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``document`` (sorted keys, no spaces)."""
    text = json.dumps(
        canonical(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def as_json(document: Mapping[str, Any], *, what: str) -> dict[str, Any]:
    """A JSON round trip of ``document``: plain dicts, lists, str, numbers, bool, None.

    Raises :class:`MetricsError` for NaN, infinity or a value JSON cannot hold.
    """
    try:
        result: dict[str, Any] = json.loads(json.dumps(document, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise MetricsError(
            f"{what} is not storable as JSON: {exc}",
            hint="documents hold only dicts, lists, strings, finite numbers, booleans, None",
            said=Message(N_("error.city.not_json"), {"what": what, "reason": str(exc)[:200]}),
        ) from None
    if not isinstance(result, dict):
        raise MetricsError(
            f"{what} must be a JSON object, not {type(result).__name__}",
            said=Message(
                N_("error.city.not_object"), {"what": what, "type": type(result).__name__}
            ),
        )
    return result


class MetricsStore(ABC):
    """Stored metrics and reports, one document per (kind, local day)."""

    #: Where the documents live, without credentials.
    url: str

    def put(self, kind: str, day: date, document: Mapping[str, Any]) -> StoredDocument:
        """Store ``document`` as the (``kind``, ``day``) document, replacing any previous one."""
        check_kind(kind)
        doc = as_json(document, what=f"the {kind} document of {day}")
        now = datetime.now(UTC)
        # Milliseconds: the finest time every backend keeps (MongoDB's BSON dates).
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        info = DocumentInfo(kind, day, digest(doc), now)
        self._put(info, doc)
        return StoredDocument(info, doc)

    def get(self, kind: str, day: date) -> StoredDocument | None:
        """The (``kind``, ``day``) document, or None."""
        return self._get(check_kind(kind), day)

    def require(self, kind: str, day: date) -> StoredDocument:
        """The (``kind``, ``day``) document; raises :class:`MetricsNotFound`."""
        found = self.get(kind, day)
        if found is None:
            raise MetricsNotFound(
                f"no {kind} document is stored for {day} in {self.url}",
                said=Message(
                    N_("error.city.no_document"),
                    {"kind": kind, "day": day.isoformat(), "store": self.url},
                ),
            )
        return found

    def index(
        self,
        *,
        kinds: Collection[str] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[DocumentInfo]:
        """Descriptions of the documents of ``kinds`` within ``[start, end]``, by day then
        kind (bodies are not read)."""
        chosen = None if kinds is None else tuple(check_kind(k) for k in kinds)
        if start is not None and end is not None and start > end:
            return []
        found = self._index(chosen, start, end)
        return sorted(found, key=lambda i: (i.day, i.kind))

    def find(
        self,
        *,
        kinds: Collection[str] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[StoredDocument]:
        """The documents of ``kinds`` within ``[start, end]``, by day then kind."""
        for info in self.index(kinds=kinds, start=start, end=end):
            found = self._get(info.kind, info.day)
            if found is not None:  # deleted meanwhile
                yield found

    def count(
        self,
        *,
        kinds: Collection[str] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> int:
        """How many documents match."""
        return len(self.index(kinds=kinds, start=start, end=end))

    def delete(self, kind: str, day: date) -> bool:
        """Remove the (``kind``, ``day``) document; whether one existed."""
        return self._delete(check_kind(kind), day)

    @abstractmethod
    def ping(self) -> None:
        """Check the store answers; raises :class:`MetricsUnavailable`."""

    def close(self) -> None:  # noqa: B027 - a no-op unless the backend holds connections
        """Release connections (the store may not be used afterwards)."""

    def __enter__(self) -> MetricsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what a backend implements -------------------------------------------------
    @abstractmethod
    def _put(self, info: DocumentInfo, document: dict[str, Any]) -> None: ...

    @abstractmethod
    def _get(self, kind: str, day: date) -> StoredDocument | None: ...

    @abstractmethod
    def _index(
        self, kinds: tuple[str, ...] | None, start: date | None, end: date | None
    ) -> list[DocumentInfo]: ...

    @abstractmethod
    def _delete(self, kind: str, day: date) -> bool: ...


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (naive values are taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
