"""Metrics in MongoDB (pymongo): one document per (kind, day) in one collection.

URL: ``mongodb://[user:password@]host[:port]/DATABASE[?collection=NAME&...]``
(``mongodb+srv://`` too); the database defaults to ``entrepot`` and the collection to
``city_metrics``; other query options go to pymongo. Each record is
``{_id: "kind/day", kind, day: "YYYY-MM-DD", sha256, updated_at, document}``; the
``_id`` makes writes an atomic replace-or-insert. Documents are limited to MongoDB's
16 MB.

The tests run the conformance suite on ``mongomock`` (an in-process stand-in for the
server, driven through the same pymongo calls), as no MongoDB server can run on the
test machine: it covers the queries and the data mapping, not the wire protocol,
authentication or server versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from entrepot.city.errors import MetricsError, MetricsUnavailable
from entrepot.city.metrics.base import DocumentInfo, MetricsStore, StoredDocument, utc
from entrepot.errors import ConfigError
from entrepot.masking import mask_url
from entrepot.messages import N_, Message

DEFAULT_DATABASE = "entrepot"
DEFAULT_COLLECTION = "city_metrics"
#: How long to wait for a server before calling the store unavailable (ms).
SERVER_TIMEOUT_MS = 5_000


class MongoMetrics(MetricsStore):
    """Documents in a MongoDB collection, reached with a pymongo-compatible client."""

    def __init__(
        self,
        client: Any,
        database: str = DEFAULT_DATABASE,
        collection: str = DEFAULT_COLLECTION,
        *,
        url: str | None = None,
        owns_client: bool = False,
    ) -> None:
        self.client = client
        self.collection = client[database][collection]
        self.url = url or f"mongodb:///{database}?collection={collection}"
        self._owns_client = owns_client
        self._ready = False

    @classmethod
    def from_url(cls, url: str) -> MongoMetrics:
        """A store with its own client for a ``mongodb://`` URL."""
        try:
            import pymongo
        except ModuleNotFoundError:
            raise ConfigError(
                "the MongoDB metrics store needs pymongo",
                hint="install it with `pip install 'entrepot[mongodb]'`",
                said=Message(N_("error.city.needs_pymongo")),
            ) from None
        client_url, database, collection = split_url(url)
        client: Any = pymongo.MongoClient(
            client_url, serverSelectionTimeoutMS=SERVER_TIMEOUT_MS, tz_aware=True
        )
        return cls(client, database, collection, url=mask_url(url), owns_client=True)

    def ping(self) -> None:
        """Ask the server for a ``ping``."""
        with self._errors():
            self.client.admin.command("ping")

    def close(self) -> None:
        """Close the client if this store opened it."""
        if self._owns_client:
            self.client.close()

    # -- backend -------------------------------------------------------------------
    def _put(self, info: DocumentInfo, document: dict[str, Any]) -> None:
        record = {
            "_id": _id(info.kind, info.day),
            "kind": info.kind,
            "day": info.day.isoformat(),
            "sha256": info.sha256,
            "updated_at": info.updated_at,
            "document": document,
        }
        with self._errors(ensure=True):
            self.collection.replace_one({"_id": record["_id"]}, record, upsert=True)

    def _get(self, kind: str, day: date) -> StoredDocument | None:
        with self._errors():
            record = self.collection.find_one({"_id": _id(kind, day)})
        if record is None:
            return None
        return StoredDocument(_info(record), dict(record["document"]))

    def _index(
        self, kinds: tuple[str, ...] | None, start: date | None, end: date | None
    ) -> list[DocumentInfo]:
        query: dict[str, Any] = {}
        if kinds is not None:
            query["kind"] = {"$in": list(kinds)}
        days: dict[str, str] = {}
        if start is not None:
            days["$gte"] = start.isoformat()
        if end is not None:
            days["$lte"] = end.isoformat()
        if days:
            query["day"] = days
        fields = {"kind": 1, "day": 1, "sha256": 1, "updated_at": 1}
        with self._errors():
            return [_info(r) for r in self.collection.find(query, fields)]

    def _delete(self, kind: str, day: date) -> bool:
        with self._errors():
            return bool(self.collection.delete_one({"_id": _id(kind, day)}).deleted_count)

    @contextmanager
    def _errors(self, *, ensure: bool = False) -> Iterator[None]:
        from pymongo.errors import ConnectionFailure, PyMongoError

        try:
            if ensure and not self._ready:
                self.collection.create_index([("day", 1), ("kind", 1)])
                self._ready = True
            yield
        except ConnectionFailure as exc:
            raise MetricsUnavailable(
                f"the MongoDB metrics store {self.url} cannot be reached: {exc}",
                said=Message(
                    N_("error.city.metrics_unreachable_because"),
                    {"store": self.url, "reason": str(exc)[:300]},
                ),
            ) from None
        except PyMongoError as exc:
            raise MetricsError(
                f"the MongoDB metrics store {self.url} refused: {exc}",
                said=Message(
                    N_("error.city.metrics_refused"), {"store": self.url, "reason": str(exc)[:300]}
                ),
            ) from None


def split_url(url: str) -> tuple[str, str, str]:
    """``(client URL without our options, database, collection)`` of a ``mongodb://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("mongodb", "mongodb+srv"):
        raise ConfigError(
            f"not a MongoDB URL: {mask_url(url)}",
            hint="use mongodb://host:27017/db",
            said=Message(N_("error.city.not_mongodb_url"), {"url": mask_url(url)[:200]}),
        )
    query = parse_qsl(parts.query, keep_blank_values=True)
    collection = next((v for k, v in query if k == "collection"), DEFAULT_COLLECTION)
    rest = urlencode([(k, v) for k, v in query if k != "collection"])
    database = parts.path.strip("/") or DEFAULT_DATABASE
    client_url = urlunsplit((parts.scheme, parts.netloc, "/" + database, rest, ""))
    return client_url, database, collection


def _id(kind: str, day: date) -> str:
    return f"{kind}/{day.isoformat()}"


def _info(record: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        record["kind"],
        date.fromisoformat(record["day"]),
        record["sha256"],
        utc(record["updated_at"]),
    )
